package dev.candela.explain.attribution;

import dev.candela.explain.lrp.Composite;
import dev.candela.explain.lrp.Redistribution;
import dev.candela.run.LayerValues;
import dev.candela.run.Rule;
import dev.candela.tensor.Tensor;
import java.util.List;

/**
 * Guided Backpropagation (Springenberg et al. 2015) as a composite of the rule set
 * ({@link Composite#guidedBackprop()}): the gradient everywhere except that a ReLU passes the gradient only
 * where its input is positive AND the incoming gradient is positive (Captum: relu of the ReLU's input
 * gradient); ReLU6 (Clip with min 0) is treated the same way inside (0, max).
 */
public final class GuidedBackpropRule implements Rule {
    public static final GuidedBackpropRule INSTANCE = new GuidedBackpropRule();
    private static final Composite COMPOSITE = Composite.guidedBackprop();

    @Override public List<Tensor> propagate(LayerValues v, Tensor g) {
        return Redistribution.apply(COMPOSITE.ruleFor(v.node(), false), v, g);
    }
}
