package io.rayfile.d7y.scheduler.state;

import io.rayfile.d7y.scheduler.SchedulerException;

/** Checks for the free-form identifiers peers send (peer ids, host ids, labels). */
final class Ids {
  static final int MAX_ID = 256;

  private Ids() {}

  /** A non-empty id of at most 256 printable characters. */
  static String require(String what, String value) {
    if (value == null || value.isEmpty()) {
      throw SchedulerException.invalid(what + " is missing; send a non-empty id");
    }
    return check(what, value);
  }

  /** An optional label: empty, or at most 256 printable characters. */
  static String optional(String what, String value) {
    if (value == null || value.isEmpty()) {
      return "";
    }
    return check(what, value);
  }

  private static String check(String what, String value) {
    if (value.length() > MAX_ID) {
      throw SchedulerException.invalid(what + " is " + value.length() + " characters long; at most " + MAX_ID
          + " are allowed");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw SchedulerException.invalid(what + " contains a control character at index " + i);
      }
    }
    return value;
  }

  static String describe(String s) {
    if (s == null) {
      return "nothing";
    }
    return s.length() > 80 ? "'" + s.substring(0, 80) + "...' (" + s.length() + " chars)" : "'" + s + "'";
  }
}
