package io.rayfile.d7y.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SchedulerSettingsTest {
  @Test
  void defaultsAreTheDocumentedOnes() {
    SchedulerSettings s = SchedulerSettings.defaults();
    assertEquals(1, s.backToSourcePerNodepool());
    assertEquals(4, s.candidateParents());
    assertEquals(Duration.ofSeconds(30), s.heartbeatTimeout());
    assertEquals(Duration.ofSeconds(2), s.slotWait());
    assertEquals("127.0.0.1", s.metricsHost());
    assertEquals(s, s.toBuilder().build());
  }

  @Test
  void rejectsNonsense() {
    assertThrows(SchedulerException.class, () -> SchedulerSettings.builder().backToSourcePerNodepool(0).build());
    assertThrows(SchedulerException.class, () -> SchedulerSettings.builder().candidateParents(0).build());
    assertThrows(SchedulerException.class,
        () -> SchedulerSettings.builder().defaultUploadSlots(10).maxUploadSlots(5).build());
    assertThrows(SchedulerException.class,
        () -> SchedulerSettings.builder().heartbeatTimeout(Duration.ZERO).build());
    assertThrows(SchedulerException.class, () -> SchedulerSettings.builder().metricsPort(70000).build());
    assertThrows(SchedulerException.class,
        () -> SchedulerSettings.builder().slotWait(Duration.ofMillis(-1)).build());
  }
}
