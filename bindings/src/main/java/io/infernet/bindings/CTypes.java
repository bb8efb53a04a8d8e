package io.infernet.bindings;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.ValueLayout;

/** C types of the LP64 ABI (x86-64 and arm64 Linux and macOS), as jextract names them. */
public final class CTypes {
    private CTypes() {}

    public static final ValueLayout.OfBoolean C_BOOL = ValueLayout.JAVA_BOOLEAN;
    public static final ValueLayout.OfByte C_CHAR = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfShort C_SHORT = ValueLayout.JAVA_SHORT;
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;
    /** A pointer; dereferencing needs {@code reinterpret} with the real size. */
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS;

    static {
        if (ValueLayout.ADDRESS.byteSize() != 8) {
            throw new ExceptionInInitializerError("the bindings assume 64-bit pointers; this JVM has " + ValueLayout.ADDRESS.byteSize() * 8);
        }
    }

}
