package dev.tandem.models.rain;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The streaming region's step check: eval's rule over the first readings, decided once, bounded. */
class StepCheckTest {
    static final long T0 = 1_704_067_200_000L; // 2024-01-01T00:00Z

    @Test
    void decidesAfterTwentySpacingsWithTheEvaluationsRule() {
        StepCheck c = new StepCheck(TimeStep.DAILY);
        // 5 stations, monthly readings on the 15th: calendar months of 29, 31, 30 ... days count as one month
        long first = TimeStep.MONTHLY.index(T0);
        boolean warned = false;
        int readings = 0;
        for (int m = 0; m < 6 && !c.decided(); m++) {
            for (int s = 0; s < 5; s++) {
                warned |= c.add("s" + s, TimeStep.MONTHLY.start(first + m) + 14 * TimeStep.DAY);
                readings++;
            }
        }
        assertTrue(c.decided());
        assertEquals(25, readings, "the first month gives no spacing; 4 more months give 20");
        assertTrue(warned);
        assertEquals(TimeStep.MONTHLY, c.inferred());
        assertTrue(c.ratio() > 30 && c.ratio() < 31);
        assertTrue(c.mismatch());
        assertFalse(c.add("s0", T0 + 1000 * TimeStep.DAY), "once");
    }

    @Test
    void aFactorOfOnePointFiveEitherWayIsTheLine() {
        for (long minutes : new long[] {41, 60, 89}) {
            StepCheck c = feed(TimeStep.HOURLY, minutes * TimeStep.MINUTE);
            assertFalse(c.mismatch(), minutes + " min against hourly");
            assertNull(c.warning("r"));
        }
        for (long minutes : new long[] {39, 91, 10}) {
            assertTrue(feed(TimeStep.HOURLY, minutes * TimeStep.MINUTE).mismatch(), minutes + " min against hourly");
        }
        assertFalse(feed(TimeStep.MONTHLY, 30 * TimeStep.DAY).mismatch(), "30 days is a calendar month");
        assertTrue(feed(TimeStep.MONTHLY, TimeStep.DAY).mismatch());
    }

    @Test
    void outOfOrderAndRepeatedReadingsGiveNoSpacingAndTheStationsFollowedAreBounded() {
        StepCheck c = new StepCheck(TimeStep.HOURLY);
        c.add("a", T0 + 5 * TimeStep.HOUR);
        c.add("a", T0 + 5 * TimeStep.HOUR); // the same time
        c.add("a", T0 + 2 * TimeStep.HOUR); // out of order
        c.add("a", T0 + 6 * TimeStep.HOUR); // one spacing of an hour, from the latest
        for (int i = 1; i < StepCheck.MAX_STATIONS; i++) {
            c.add("s" + i, T0); // a first reading each: the bound is reached
        }
        for (int t = 1; t <= 30; t++) {
            c.add("beyond", T0 + t * TimeStep.MINUTE); // not followed: no spacing
        }
        assertFalse(c.decided());
        for (int i = 1; i < 20; i++) {
            c.add("s" + i, T0 + 7 * TimeStep.DAY);
        }
        assertTrue(c.decided());
        assertEquals(new TimeStep(7 * TimeStep.DAY, false), c.inferred(), "19 weekly spacings outnumber one hourly");
    }

    /** 4 stations, 6 readings each at the given spacing. */
    static StepCheck feed(TimeStep configured, long spacing) {
        StepCheck c = new StepCheck(configured);
        for (int t = 0; t < 6 && !c.decided(); t++) {
            for (int s = 0; s < 4; s++) {
                c.add("s" + s, T0 + t * spacing);
            }
        }
        assertTrue(c.decided());
        return c;
    }
}
