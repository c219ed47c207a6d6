package io.rayfile.gc;

/**
 * The owner's per-file counters in parallel primitive arrays, open addressing with linear probing.
 *
 * <p>Why not a {@code HashMap<FileId, Entry>}: an owner tracks up to millions of files, and a boxed key, a map
 * node and an entry object cost about 100 bytes per file before any counter. Here a slot is 8 (key) + 4 (local)
 * + 4 (tasks) + 1 (flags) = 17 bytes, at a load factor between 3/8 and 3/4: 23 to 46 bytes per file. The rare
 * state (borrowers, passes in flight, a lifetime pin) lives in a side map only for the files that have it,
 * flagged by {@link #EXTRAS}.
 *
 * <p>Deletion shifts later entries of the probe run back (no tombstones), so a long-lived owner that creates and
 * frees files for days never degrades.
 */
final class OwnedTable {
  /** Slot holds an entry. A separate flag, so every long (0 included) is a valid key. */
  static final byte USED = 1;
  /** The file has an entry in the owner's side map. */
  static final byte EXTRAS = 2;

  private long[] keys;
  private int[] local;
  private int[] tasks;
  private byte[] flags;
  private int mask;
  private int size;

  OwnedTable(int expected) {
    int cap = Integer.highestOneBit(Math.max(16, expected * 4 / 3 + 1) - 1) << 1;
    allocate(cap);
  }

  private void allocate(int cap) {
    keys = new long[cap];
    local = new int[cap];
    tasks = new int[cap];
    flags = new byte[cap];
    mask = cap - 1;
  }

  int size() {
    return size;
  }

  /** Murmur3's 64-bit finalizer: ids are often sequential, and linear probing needs them spread. */
  private static int hash(long key) {
    key ^= key >>> 33;
    key *= 0xff51afd7ed558ccdL;
    key ^= key >>> 33;
    key *= 0xc4ceb9fe1a85ec53L;
    key ^= key >>> 33;
    return (int) key;
  }

  /** The slot of {@code key}, or -1. */
  int find(long key) {
    int i = hash(key) & mask;
    while ((flags[i] & USED) != 0) {
      if (keys[i] == key) {
        return i;
      }
      i = (i + 1) & mask;
    }
    return -1;
  }

  /** Inserts {@code key} (which must be absent) with zero counters; returns its slot. */
  int insert(long key) {
    if ((size + 1) * 4L > (mask + 1) * 3L) {
      grow();
    }
    int i = hash(key) & mask;
    while ((flags[i] & USED) != 0) {
      i = (i + 1) & mask;
    }
    keys[i] = key;
    local[i] = 0;
    tasks[i] = 0;
    flags[i] = USED;
    size++;
    return i;
  }

  private void grow() {
    long[] oldKeys = keys;
    int[] oldLocal = local;
    int[] oldTasks = tasks;
    byte[] oldFlags = flags;
    allocate(oldKeys.length * 2);
    for (int j = 0; j < oldKeys.length; j++) {
      if ((oldFlags[j] & USED) != 0) {
        int i = hash(oldKeys[j]) & mask;
        while ((flags[i] & USED) != 0) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[j];
        local[i] = oldLocal[j];
        tasks[i] = oldTasks[j];
        flags[i] = oldFlags[j];
      }
    }
  }

  /** Removes the entry in {@code slot}, shifting back the rest of its probe run. */
  void removeAt(int slot) {
    int hole = slot;
    int i = (slot + 1) & mask;
    while ((flags[i] & USED) != 0) {
      int home = hash(keys[i]) & mask;
      // Move entry i into the hole unless its home lies cyclically in (hole, i]: then it must stay after home.
      boolean stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
      if (!stays) {
        keys[hole] = keys[i];
        local[hole] = local[i];
        tasks[hole] = tasks[i];
        flags[hole] = flags[i];
        hole = i;
      }
      i = (i + 1) & mask;
    }
    flags[hole] = 0;
    size--;
  }

  long key(int slot) {
    return keys[slot];
  }

  int local(int slot) {
    return local[slot];
  }

  void local(int slot, int value) {
    local[slot] = value;
  }

  int tasks(int slot) {
    return tasks[slot];
  }

  void tasks(int slot, int value) {
    tasks[slot] = value;
  }

  boolean hasExtras(int slot) {
    return (flags[slot] & EXTRAS) != 0;
  }

  void extras(int slot, boolean present) {
    flags[slot] = (byte) (present ? flags[slot] | EXTRAS : flags[slot] & ~EXTRAS);
  }

  /** For tests: the number of array slots. */
  int capacity() {
    return keys.length;
  }

  @Override
  public String toString() {
    return "OwnedTable[size=" + size + ", capacity=" + keys.length + "]";
  }
}
