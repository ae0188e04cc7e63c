package dev.tandem.tools.dashboard;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON the page receives. Every string from Kafka passes through here, and the characters that mean something
 * in HTML ({@code < > & ' "}) are written as {@code \\u00XX} escapes, so no value can close a script or an
 * attribute even if a future page inserted it as markup; the page itself only ever sets {@code textContent}.
 */
final class DashboardJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static {
        MAPPER.getFactory().setCharacterEscapes(new HtmlSafe());
    }

    private DashboardJson() {
    }

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    static String write(Object node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the dashboard's state", e);
        }
    }

    /** A finite double, or null (JSON has no NaN). */
    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** Text cut to max characters: a record's field is shown, never a megabyte of it. */
    static String cut(String s, int max) {
        if (s == null) {
            return null;
        }
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    private static final class HtmlSafe extends CharacterEscapes {
        private final int[] table;

        HtmlSafe() {
            table = standardAsciiEscapesForJSON();
            for (char c : new char[] {'<', '>', '&', '\'', '"'}) {
                table[c] = ESCAPE_STANDARD;
            }
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return table;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return null;
        }
    }
}
