package ai.datapilot.cleaner.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JSON for the {@code STRUCTURED_SUMMARY} line: Jackson escapes C0 controls itself; this also
 * escapes DEL, C1 controls (NEL) and U+2028/U+2029, which some log viewers take as line breaks.
 */
final class OneLineJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setCharacterEscapes(new Escapes());
    }

    private OneLineJson() {
    }

    static String write(JsonNode node) throws JsonProcessingException {
        return JSON.writeValueAsString(node);
    }

    private static final class Escapes extends CharacterEscapes {

        private final int[] ascii;

        Escapes() {
            ascii = CharacterEscapes.standardAsciiEscapesForJSON();
            ascii[0x7f] = CharacterEscapes.ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            if ((ch >= 0x80 && ch <= 0x9f) || ch == 0x2028 || ch == 0x2029) {
                return new SerializedString(String.format("\\u%04x", ch));
            }
            return null;
        }
    }
}
