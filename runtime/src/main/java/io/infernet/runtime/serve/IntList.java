package io.infernet.runtime.serve;

import java.util.Arrays;

/** A growable list of ints (token ids) without boxing; appends are amortized allocation-free. */
public final class IntList {
    private int[] a;
    private int size;

    public IntList(int capacity) {
        a = new int[Math.max(4, capacity)];
    }

    public IntList(int[] initial) {
        a = Arrays.copyOf(initial, Math.max(4, initial.length + 64));
        size = initial.length;
    }

    public int size() {
        return size;
    }

    public int get(int i) {
        if (i >= size) {
            throw new IndexOutOfBoundsException(i + " >= " + size);
        }
        return a[i];
    }

    public void add(int v) {
        if (size == a.length) {
            a = Arrays.copyOf(a, a.length * 2);
        }
        a[size++] = v;
    }

    public void truncate(int newSize) {
        if (newSize < 0 || newSize > size) {
            throw new IndexOutOfBoundsException(newSize);
        }
        size = newSize;
    }

    /** The backing array; valid in {@code [0, size())} until the next append. */
    int[] array() {
        return a;
    }

    public int[] toArray() {
        return Arrays.copyOf(a, size);
    }

    /** Length of the common prefix with {@code other[0..otherLen)}. */
    public int commonPrefix(int[] other, int otherLen) {
        int n = Math.min(size, otherLen);
        int m = Arrays.mismatch(a, 0, n, other, 0, n);
        return m < 0 ? n : m;
    }
}
