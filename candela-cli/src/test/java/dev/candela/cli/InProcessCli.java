package dev.candela.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Tests that run the command line in-process: {@link #cli} returns the exit status and keeps stdout and stderr. */
abstract class InProcessCli {
    String out, err;

    int cli(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.run(args, new PrintWriter(o, true), new PrintWriter(e, true));
        out = o.toString();
        err = e.toString();
        return code;
    }
}
