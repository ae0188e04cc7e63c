package dev.tandem.operators.al;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlSignalSerializerTest {
    @Test
    void flinkUsesTheBulkSerializerWithoutGenericTypes() {
        ExecutionConfig config = new ExecutionConfig();
        Configuration c = new Configuration();
        c.set(PipelineOptions.GENERIC_TYPES, false);
        config.configure(c, getClass().getClassLoader());
        TypeInformation<AlSignal> info = TypeInformation.of(AlSignal.class);
        assertTrue(info instanceof AlSignalTypeInfo, info.toString());
        TypeSerializer<AlSignal> ser = info.createSerializer(config.getSerializerConfig());
        assertTrue(ser instanceof AlSignalSerializer, ser.toString());
        assertNotSame(ser, ser.duplicate(), "stateful (scratch buffer): one instance per thread");
    }

    @Test
    void everyKindRoundTripsExactly() throws IOException {
        SplittableRandom r = new SplittableRandom(7);
        float[] x = new float[3 * 2 * 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        x[0] = Float.NaN;
        x[1] = -0.0f;
        x[2] = Float.MIN_VALUE;
        x[3] = Float.NEGATIVE_INFINITY;
        AlSignal train = AlSignal.train("fleet-a", 41, new int[] {2, 5}, x, new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, 3);
        AlSignal predict = AlSignal.predict("fleet-b", 7, new int[] {2, 5}, x.clone(), 3, 4);
        predict.versions[0] = 12;
        predict.versions[3] = Long.MAX_VALUE;
        predict.time = 1_700_000_000_123L;
        predict.origin = "machine-ü";
        predict.label = "inner-race";
        AlSignal export = AlSignal.export("fleet-c", new int[] {784});
        AlSignalSerializer ser = new AlSignalSerializer();
        DataOutputSerializer out = new DataOutputSerializer(16);
        for (AlSignal a : new AlSignal[] {train, predict, export}) {
            ser.serialize(a, out);
        }
        // a second serializer reads them (as the consuming task's does), in order, from one buffer
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        AlSignalSerializer reader = new AlSignalSerializer();
        for (AlSignal a : new AlSignal[] {train, predict, export}) {
            assertSame(a, reader.deserialize(in));
            assertSame(a, ser.copy(a));
        }
        assertEquals(0, in.available());
        AlSignal back = new AlSignalSerializer().deserialize(new DataInputDeserializer(bytes(ser, train)));
        assertNull(back.versions);
        assertNull(back.origin);
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(back.s[1]));
    }

    @Test
    void refusesAnotherFormatAndCorruptLengths() throws IOException {
        byte[] good = bytes(new AlSignalSerializer(), AlSignal.export("k", new int[] {1}));
        byte[] bad = good.clone();
        bad[0] = 9;
        IOException e = assertThrows(IOException.class,
                () -> new AlSignalSerializer().deserialize(new DataInputDeserializer(bad)));
        assertTrue(e.getMessage().contains("format 9"), e.getMessage());
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeByte(AlSignalSerializer.RECORD_FORMAT);
        org.apache.flink.types.StringValue.writeString("", out);
        out.writeInt(0);
        out.writeLong(0);
        out.writeInt(1);
        out.writeInt(-5); // inputShape length
        IOException corrupt = assertThrows(IOException.class,
                () -> new AlSignalSerializer().deserialize(new DataInputDeserializer(out.getCopyOfBuffer())));
        assertTrue(corrupt.getMessage().contains("-5"), corrupt.getMessage());
    }

    private static byte[] bytes(AlSignalSerializer ser, AlSignal a) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        ser.serialize(a, out);
        return out.getCopyOfBuffer();
    }

    private static void assertSame(AlSignal expected, AlSignal actual) {
        assertEquals(expected.key, actual.key);
        assertEquals(expected.kind, actual.kind);
        assertEquals(expected.seq, actual.seq);
        assertEquals(expected.n, actual.n);
        assertArrayEquals(expected.inputShape, actual.inputShape);
        assertArrayEquals(bits(expected.s), bits(actual.s));
        assertArrayEquals(bits(expected.t), bits(actual.t));
        assertArrayEquals(expected.versions, actual.versions);
        assertEquals(expected.time, actual.time);
        assertEquals(expected.origin, actual.origin);
        assertEquals(expected.label, actual.label);
    }

    private static int[] bits(float[] v) {
        if (v == null) {
            return null;
        }
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
