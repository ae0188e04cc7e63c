package dev.tandem.operators.common;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the dead letters' raw-bytes escaper {@link DeadLetter#truncate} (docs/FUZZING.md), cut at 64 bytes and
 * uncut. Properties: no control character (C0 other than tab and line ends, DEL, C1) nor line or paragraph separator
 * is left as such, the cut is marked with the value's length, and the bytes read back exactly from the text.
 */
class DeadLetterRawFuzzTest {
    @FuzzTest(maxDuration = "3m")
    void rawBytesAreEscapedAndReadBack(byte[] data) {
        FuzzRecords.assertRawReadsBack(data, 64, DeadLetter.truncate(data, 64));
        FuzzRecords.assertRawReadsBack(data, data.length, DeadLetter.truncate(data, data.length));
    }
}
