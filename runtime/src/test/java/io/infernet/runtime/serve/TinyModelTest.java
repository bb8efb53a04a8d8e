package io.infernet.runtime.serve;

import io.infernet.runtime.Model;
import io.infernet.runtime.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Native tests of the serving engine on {@link TestModels#tiny()}: {@link #model} is loaded before
 * a test class's first test (before its own {@code @BeforeAll} methods) and closed after its last.
 * Test classes run one at a time, so the one static field serves each in turn.
 */
abstract class TinyModelTest {
    static Model model;

    @BeforeAll
    static void loadTinyModel() {
        model = Model.load(TestModels.tiny());
    }

    @AfterAll
    static void closeTinyModel() {
        model.close();
    }
}
