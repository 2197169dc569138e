package cloud.edgehive.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import cloud.edgehive.pipeline.PauseAfterStep.Point;

/** faults.pause-after's syntax: what a crash test writes, and the misspellings that would never fire. */
class PauseAfterStepTest {

    @Test
    void aListOfStepsEachForEveryNodeOrForOne() {
        assertEquals(List.of(new Point("RUNNING", null)), PauseAfterStep.parse("RUNNING"));
        assertEquals(List.of(new Point("ALLOCATED", "cs_a-0"), new Point("INSTANCE_RECORDED", "cs_b-0"), new Point("MAIL_SENT", null),
                new Point("ACCESS_READY", "cs_c@x-0")), PauseAfterStep.parse(" ALLOCATED@cs_a-0, INSTANCE_RECORDED@cs_b-0,MAIL_SENT,,ACCESS_READY@cs_c@x-0"));
        assertTrue(new Point("RUNNING", null).applies("any"));
        assertTrue(!new Point("RUNNING", "cs_a-0").applies("cs_a-00"));
    }

    @Test
    void aStepThatDoesNotExistStopsStartUp() {
        for (String wrong : List.of("RUNING", "running", "MAIL_SENT@", "@cs_a-0", "INSTANCE_RECORDED@ ")) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> PauseAfterStep.parse(wrong), wrong);
            assertTrue(refused.getMessage().startsWith("faults.pause-after: '"), refused.getMessage());
        }
    }
}
