package dev.tandem.tools.flink;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** The TCP sockets a process listens on, from /proc/PID/fd and /proc/net/tcp(6) (Linux). */
public final class ListeningSockets {
    /** One listening socket: its address, port and inode. */
    public record Listener(String address, int port, long inode) {
        public boolean loopback() {
            try {
                return InetAddress.getByName(address).isLoopbackAddress();
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public String toString() {
            return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
        }
    }

    private ListeningSockets() {
    }

    /** The listening TCP sockets whose file descriptors pid holds. */
    public static List<Listener> of(long pid) throws IOException {
        Set<Long> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while listing
                }
            }
        }
        Map<Long, Listener> all = new HashMap<>();
        read(Path.of("/proc/net/tcp"), false, all);
        read(Path.of("/proc/net/tcp6"), true, all);
        List<Listener> out = new ArrayList<>();
        for (long inode : inodes) {
            Listener l = all.get(inode);
            if (l != null) {
                out.add(l);
            }
        }
        return out;
    }

    private static void read(Path table, boolean v6, Map<Long, Listener> into) throws IOException {
        if (!Files.isRegularFile(table)) {
            return;
        }
        List<String> lines = Files.readAllLines(table);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || !f[3].equals("0A")) { // 0A: LISTEN
                continue;
            }
            String[] local = f[1].split(":");
            into.put(Long.parseLong(f[9]), new Listener(address(local[0], v6), Integer.parseInt(local[1], 16),
                    Long.parseLong(f[9])));
        }
    }

    /** /proc/net/tcp writes addresses as 32-bit words in host (little-endian) order. */
    private static String address(String hex, boolean v6) throws IOException {
        byte[] b = new byte[hex.length() / 2];
        for (int word = 0; word < b.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int at = word * 8 + (3 - i) * 2;
                b[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        return InetAddress.getByAddress(b).getHostAddress();
    }
}
