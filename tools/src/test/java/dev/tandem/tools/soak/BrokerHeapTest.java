package dev.tandem.tools.soak;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BrokerHeapTest {
    /** What jcmd GC.heap_info prints for a Serial GC JVM (the embedded broker's): the generations count, not metaspace. */
    @Test
    void sumsTheGenerationsOfASerialHeap() {
        String info = """
                11401:
                 def new generation   total 19648K, used 8151K [0x00000000fc000000, 0x00000000fd550000, 0x00000000fd550000)
                  eden space 17472K,  44% used [0x00000000fc000000, 0x00000000fc785e20, 0x00000000fd110000)
                  from space 2176K,  20% used [0x00000000fd330000, 0x00000000fd3a0148, 0x00000000fd550000)
                  to   space 2176K,   0% used [0x00000000fd110000, 0x00000000fd110000, 0x00000000fd330000)
                 tenured generation   total 43712K, used 12995K [0x00000000fd550000, 0x0000000100000000, 0x0000000100000000)
                   the space 43712K,  29% used [0x00000000fd550000, 0x00000000fe200e80, 0x00000000fe201000, 0x0000000100000000)
                 Metaspace       used 351K, committed 576K, reserved 1114112K
                  class space    used 19K, committed 128K, reserved 1048576K
                """;
        assertEquals((8151L + 12995L) * 1024, BrokerHeap.usedBytes(info));
        assertEquals(-1, BrokerHeap.usedBytes("12: Unable to open socket file"));
    }

    @Test
    void aProcessThatIsNotThereReadsAsUnknown() {
        assertEquals(-1, BrokerHeap.liveBytes(-1));
    }
}
