package dev.tandem.tools.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.PrintStream;
import java.util.Map;

/** The {@code --json} convention: the last line of standard output is one JSON object. */
public final class JsonOutput {
    private static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    private JsonOutput() {
    }

    public static String toJson(Map<String, ?> object) {
        try {
            return MAPPER.writeValueAsString(object);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise result", e);
        }
    }

    public static void print(PrintStream out, Map<String, ?> object) {
        out.println(toJson(object));
        out.flush();
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
