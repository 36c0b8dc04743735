package dev.candela.image;

/** An image file that cannot be used, with the file and the reason in the message. */
public final class ImageFormatException extends IllegalArgumentException {
    public ImageFormatException(String message) {
        super(message);
    }

    public ImageFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
