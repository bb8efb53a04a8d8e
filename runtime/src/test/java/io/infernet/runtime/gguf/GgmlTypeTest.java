package io.infernet.runtime.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class GgmlTypeTest {
    @Test
    void byteSizes() {
        assertEquals(4096L * 4096 * 4, GgmlType.F32.bytes(4096L * 4096));
        assertEquals(4096L * 4096 / 32 * 34, GgmlType.Q8_0.bytes(4096L * 4096));
        assertEquals(4096L * 4096 / 32 * 18, GgmlType.Q4_0.bytes(4096L * 4096));
        assertEquals(4096L * 4096 / 256 * 144, GgmlType.Q4_K.bytes(4096L * 4096));
        assertEquals(4.5, GgmlType.Q4_0.bitsPerWeight());
        assertEquals(8.5, GgmlType.Q8_0.bitsPerWeight());
        assertThrows(IllegalArgumentException.class, () -> GgmlType.Q4_0.bytes(33));
        assertThrows(ArithmeticException.class, () -> GgmlType.F32.bytes(Long.MAX_VALUE));
    }

    @Test
    void idsAndNames() {
        for (GgmlType t : GgmlType.values()) {
            assertEquals(Optional.of(t), GgmlType.fromId(t.id()));
            assertEquals(Optional.of(t), GgmlType.fromName(t.ggmlName().toUpperCase()));
        }
        assertEquals(Optional.empty(), GgmlType.fromId(4));
        assertEquals(Optional.of("Q4_0_4_4"), GgmlType.removedTypeName(31));
        assertEquals(Optional.empty(), GgmlType.fromId(GgmlType.ID_LIMIT));
        assertEquals(Optional.empty(), GgmlType.fromId(-1));
        assertTrue(GgmlType.removedTypeName(8).isEmpty());
    }
}
