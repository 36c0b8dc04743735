package dev.candela.io;

/** Text from untrusted files (labels, node names, file names) made safe to print on a terminal. */
public final class Text {
    private Text() {}

    /**
     * Control characters (C0, DEL, C1, and the Unicode bidirectional overrides) become visible escapes
     * such as {@code \x1b} or {@code \u202e}; everything else is kept.
     */
    public static String safe(String s) {
        if (s == null) return "null";
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad = c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f;
            if (bad) {
                if (b == null) b = new StringBuilder(s.length() + 8).append(s, 0, i);
                if (c == '\n') b.append("\\n");
                else if (c == '\t') b.append("\\t");
                else if (c == '\r') b.append("\\r");
                else if (c < 0x100) b.append(String.format("\\x%02x", (int) c));
                else b.append(String.format("\\u%04x", (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}
