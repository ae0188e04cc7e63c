package dev.tandem.operators.gearbox;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.models.gearbox.FleetLearner;
import dev.tandem.models.gearbox.FleetState;
import dev.tandem.models.gearbox.GearboxCnnFactory;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.common.Json;
import dev.tandem.operators.common.RawRecord;
import dev.tandem.operators.common.RecordLimits;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The optional shaft speed of a window: carried by both encodings, validated, and kept by the fleet's state. */
class ShaftSpeedTest {
    private static final ValidationRules RULES = new ValidationRules(WindowFormat.JSON, 1, 4, 16, 4096,
            List.of("demo"), List.of("healthy", "broken"), 64);

    private static VibrationWindow window(Double rpm) {
        VibrationWindow w = TestWindows.window(1000L, "m1", "demo", "healthy", "healthy", 2, 64, 1);
        w.rpm = rpm;
        return w;
    }

    @Test
    void bothEncodingsCarryTheSpeedAndLeaveItOutWhenUnknown() throws IOException {
        VibrationWindowJson json = new VibrationWindowJson(RecordLimits.DEFAULTS, 16, 16384);
        VibrationWindow with = window(1772.5);
        assertEquals(with, json.decode(Json.write(with)));
        assertEquals(with, VibrationWindowBinary.decode(VibrationWindowBinary.encode(with)));
        VibrationWindow without = window(null);
        assertTrue(!new String(Json.write(without), StandardCharsets.UTF_8).contains("rpm"), "absent, not null or NaN");
        assertNull(json.decode(Json.write(without)).rpm);
        byte[] binary = VibrationWindowBinary.encode(without);
        assertEquals(1, binary[3], "flags: label only, as before the speed existed");
        assertNull(VibrationWindowBinary.decode(binary).rpm);
        assertNull(json.decode("{\"rpm\":null}".getBytes(StandardCharsets.UTF_8)).rpm);
        IOException typed = assertThrows(IOException.class,
                () -> json.decode("{\"rpm\":\"fast\"}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(typed.getMessage().contains("rpm must be a number"), typed.getMessage());
        byte[] unknownFlag = binary.clone();
        unknownFlag[3] = 5;
        IOException flags = assertThrows(IOException.class, () -> VibrationWindowBinary.decode(unknownFlag));
        assertTrue(flags.getMessage().contains("unknown bits"), flags.getMessage());
    }

    @Test
    void aSpeedThatIsNotAPositiveFiniteNumberIsADeadLetter() throws Exception {
        ParseAndValidate fn = new ParseAndValidate(RULES);
        try (OneInputStreamOperatorTestHarness<RawRecord, VibrationWindow> h = ProcessFunctionTestHarnesses.forProcessFunction(fn)) {
            byte[][] values = {Json.write(window(1797.0)), Json.write(window(0.0)), Json.write(window(-5.0)),
                    Json.write(window(2e6)), Json.write(window(null))};
            for (int i = 0; i < values.length; i++) {
                h.processElement(new StreamRecord<>(new RawRecord("gearbox-windows", 0, i, 1000L, null, values[i])));
            }
            assertEquals(List.of(window(1797.0), window(null)), h.extractOutputValues());
            List<DeadLetter> dead = h.getSideOutput(ParseAndValidate.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
            assertEquals(3, dead.size());
            for (DeadLetter d : dead) {
                assertTrue(d.reason.contains("rpm must be a number in (0, 1000000]"), d.reason);
            }
        }
    }

    @Test
    void theFleetsReferenceSpeedSurvivesItsState() throws IOException {
        FleetLearner learner = new FleetLearner(FleetTrainerFunctionTest.SETTINGS.withOrderTracking(true), new JavaBackend(),
                new GearboxCnnFactory());
        List<VibrationWindow> windows = FleetTrainerFunctionTest.stream(5, 3);
        FleetState m = FleetTrainerFunction.create(learner, windows.get(0));
        for (int i = 0; i < windows.size(); i++) {
            windows.get(i).rpm = i == 0 ? null : 1750.0 + i;
            FleetTrainerFunction.observe(learner, m, windows.get(i));
        }
        assertEquals(1751.0, m.referenceRpm, "the first window with a speed set it");
        FleetStateSerializer serializer = new FleetStateSerializer("java");
        FleetState back = serializer.fromBytes(serializer.toBytes(m));
        assertEquals(1751.0, back.referenceRpm);
        assertEquals(m.hash(), back.hash());
        VibrationWindow next = FleetTrainerFunctionTest.stream(9, 1).get(0);
        next.rpm = 1730.0;
        assertEquals(FleetTrainerFunction.observe(learner, m, next).modelHash,
                FleetTrainerFunction.observe(learner, back, next).modelHash);
    }
}
