/** The {@code candela} command line, its plots and HTML report. */
module dev.candela.cli {
    requires dev.candela.core;
    requires dev.candela.onnx;
    requires me.tongfei.progressbar;
    requires org.knowm.xchart;
    requires com.fasterxml.jackson.databind;
}
