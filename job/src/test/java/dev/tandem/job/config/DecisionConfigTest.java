package dev.tandem.job.config;

import dev.tandem.models.gearbox.DecisionPolicy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecisionConfigTest {
    @Test
    void defaultsHaveNoDecisionStageAndOverridesAreTyped() {
        DecisionPolicy none = TandemConfig.defaults().decisionPolicy();
        assertFalse(none.enabled());
        DecisionPolicy p = TandemConfig.defaults("gearbox.decision.algorithm=MLP", "gearbox.decision.freeze.at=0.95",
                "gearbox.decision.freeze.window=50", "gearbox.seed=7").decisionPolicy();
        assertTrue(p.enabled());
        assertEquals("mlp", p.decision().algorithm());
        assertEquals(0.95, p.freezeAt());
        assertEquals(50, p.window());
        assertEquals(7, p.decision().seed(), "the decision stage is seeded by gearbox.seed");
    }

    @Test
    void wrongValuesStopTheStartNamingTheKey() {
        assertEquals("invalid value 'tree' for configuration key gearbox.decision.algorithm; allowed: one of none, svm, mlp",
                assertThrows(IllegalArgumentException.class,
                        () -> TandemConfig.defaults("gearbox.decision.algorithm=tree")).getMessage());
        String m = assertThrows(IllegalArgumentException.class, () -> TandemConfig.defaults(
                "gearbox.decision.freeze.at=0.8", "gearbox.decision.freeze.unfreeze-below=0.85")).getMessage();
        assertTrue(m.contains("gearbox.decision.freeze.unfreeze-below"), m);
        m = assertThrows(IllegalArgumentException.class, () -> TandemConfig.defaults("gearbox.decision.svm.c=0"))
                .getMessage();
        assertTrue(m.contains("gearbox.decision.svm.c"), m);
    }
}
