package dev.tandem.tools.dashboard;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map that keeps at most {@code max} keys and drops the one touched least recently: what keeps the dashboard's
 * memory bounded when a topic brings ever new machines, stations or reasons. Not thread-safe (the state locks).
 */
final class Lru<K, V> extends LinkedHashMap<K, V> {
    private final int max;

    Lru(int max) {
        super(16, 0.75f, true);
        this.max = max;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > max;
    }
}
