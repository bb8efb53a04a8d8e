/**
 * Constrained decoding: grammars (from JSON Schema or GBNF text) and a matcher that gives, for
 * each step, the mask of vocabulary tokens that keep the output inside the grammar. Pure Java.
 */
package io.infernet.grammar;
