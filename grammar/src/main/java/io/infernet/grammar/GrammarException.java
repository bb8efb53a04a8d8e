package io.infernet.grammar;

/**
 * A grammar, a GBNF text or a JSON schema that cannot be used: the message names the input (rule,
 * position, schema path or keyword) and what to change. The API answers it with a 400.
 */
public class GrammarException extends IllegalArgumentException {
    public GrammarException(String message) {
        super(message);
    }
}
