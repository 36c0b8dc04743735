package dev.candela.cli.args;

/**
 * A command line that does not fit its command's declaration: an unknown option, a missing or malformed value,
 * a missing operand. The message is one line that names the option or argument (the CLI exits 2 with it).
 */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message, null, false, false);
    }
}
