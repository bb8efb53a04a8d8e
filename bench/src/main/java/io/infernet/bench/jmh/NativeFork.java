package io.infernet.bench.jmh;

import org.openjdk.jmh.annotations.Fork;

/**
 * The fork of the JMH benchmarks that call llama.cpp or the Vector API: one fork, with native
 * access and the incubating Vector API. JMH reads {@code @Fork} from a benchmark class's
 * superclasses, so such a class extends this one instead of repeating the flags.
 */
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public abstract class NativeFork {}
