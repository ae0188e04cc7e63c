package dev.tandem.tools.dashboard;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The newest {@code max} items, oldest first: a fixed history per key. Not thread-safe (the state locks). */
final class Ring<T> {
    private final int max;
    private final ArrayDeque<T> items;

    Ring(int max) {
        this.max = max;
        this.items = new ArrayDeque<>(Math.min(max, 1024));
    }

    void add(T item) {
        items.addLast(item);
        while (items.size() > max) {
            items.removeFirst();
        }
    }

    T last() {
        return items.peekLast();
    }

    int size() {
        return items.size();
    }

    List<T> list() {
        return new ArrayList<>(items);
    }
}
