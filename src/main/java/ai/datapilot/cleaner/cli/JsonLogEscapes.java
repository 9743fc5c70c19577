package ai.datapilot.cleaner.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import net.logstash.logback.decorate.JsonFactoryDecorator;

/**
 * JSON escapes C0 controls by itself; this also escapes what {@link LogText} escapes in text
 * logs and JSON lets through (DEL, C1 controls such as NEL, the line and paragraph separators),
 * which line-splitting readers take for a line break. One event, one line, in either format.
 */
public class JsonLogEscapes implements JsonFactoryDecorator {

    @Override
    public JsonFactory decorate(JsonFactory factory) {
        return factory.setCharacterEscapes(new Escapes());
    }

    private static final class Escapes extends CharacterEscapes {

        private final int[] ascii;

        Escapes() {
            ascii = standardAsciiEscapesForJSON();
            ascii[0x7f] = ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return LogText.unsafe(ch) ? new SerializedString(String.format("\\u%04x", ch)) : null;
        }
    }
}
