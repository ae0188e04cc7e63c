package dev.tandem.models.decision;

import libsvm.svm;
import libsvm.svm_model;
import libsvm.svm_node;
import libsvm.svm_parameter;
import libsvm.svm_problem;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The RBF-kernel SVM decision stage: LIBSVM's C-SVC (one-vs-one) trained on the whole reservoir, retrained
 * periodically. Schedule: a training whenever the new pairs since the last one reach the number of pairs seen up to
 * it (at least 16, at most {@code svmRetrainEvery}): trainings at 16, 32, 64, … pairs, then every
 * {@code svmRetrainEvery} pairs; a reservoir of one class waits for a second. LIBSVM's global random generator is
 * seeded from (seed, version) before each training and its console output is silenced; trainings are serialised
 * on one lock because that generator is shared by the JVM.
 *
 * <p>Model encoding ({@link #writeModel}): int since-training · boolean trained · [double gamma · int nr_class ·
 * int l · nr_class × int label · nr_class × int nSV · nr_class(nr_class−1)/2 × double rho · (nr_class−1)·l × double
 * coefficient · l × K × double support vector (dense)].
 */
public final class SvmDecision extends DecisionStage {
    private static final Object LIBSVM = new Object();

    static {
        svm.svm_set_print_string_function(s -> { });
    }

    private svm_model model;
    private int sinceTraining;

    SvmDecision(DecisionSettings settings, int classes, PairReservoir reservoir) {
        super(settings, classes, reservoir);
    }

    @Override
    public String algorithm() {
        return "svm";
    }

    @Override
    public boolean ready() {
        return model != null;
    }

    /** Support vectors of the current model (0 before the first training). */
    public int supportVectors() {
        return model == null ? 0 : model.l;
    }

    /** The kernel's gamma: the setting, or 1 / classes when it is 0. */
    public double gamma() {
        return settings.svmGamma() > 0 ? settings.svmGamma() : 1.0 / classes;
    }

    @Override
    protected int decideFeatures(float[] f) {
        return (int) Math.round(svm.svm_predict(model, nodes(f)));
    }

    @Override
    protected void afterAdd() {
        sinceTraining++;
        long before = reservoir.seen() - sinceTraining;
        long due = Math.min(settings.svmRetrainEvery(), Math.max(16, before));
        if (sinceTraining >= due && reservoir.distinctLabels() >= 2) {
            trainNow();
        }
    }

    @Override
    public void trainNow() {
        int n = reservoir.size();
        if (n == 0 || reservoir.distinctLabels() < 2) {
            return;
        }
        svm_problem problem = new svm_problem();
        problem.l = n;
        problem.x = new svm_node[n][];
        problem.y = new double[n];
        float[] f = new float[classes];
        for (int i = 0; i < n; i++) {
            reservoir.features(i, f, 0);
            problem.x[i] = nodes(f);
            problem.y[i] = reservoir.label(i);
        }
        svm_parameter p = parameter(settings.svmC(), gamma());
        String error = svm.svm_check_parameter(problem, p);
        if (error != null) {
            throw new IllegalStateException("LIBSVM refused the decision stage's parameters: " + error);
        }
        synchronized (LIBSVM) {
            svm.rand.setSeed(dev.tandem.learning.tensor.CounterRng.mix(settings.seed(), version));
            model = svm.svm_train(problem, p);
        }
        sinceTraining = 0;
        version++;
    }

    private static svm_parameter parameter(double c, double gamma) {
        svm_parameter p = new svm_parameter();
        p.svm_type = svm_parameter.C_SVC;
        p.kernel_type = svm_parameter.RBF;
        p.gamma = gamma;
        p.C = c;
        p.cache_size = 32;
        p.eps = 1e-3;
        p.shrinking = 1;
        p.probability = 0;
        p.nr_weight = 0;
        p.weight_label = new int[0];
        p.weight = new double[0];
        return p;
    }

    private static svm_node[] nodes(float[] f) {
        svm_node[] x = new svm_node[f.length];
        for (int i = 0; i < f.length; i++) {
            x[i] = new svm_node();
            x[i].index = i + 1;
            x[i].value = f[i];
        }
        return x;
    }

    @Override
    protected void writeModel(DataOutput out) throws IOException {
        out.writeInt(sinceTraining);
        out.writeBoolean(model != null);
        if (model == null) {
            return;
        }
        svm_model m = model;
        out.writeDouble(m.param.gamma);
        out.writeInt(m.nr_class);
        out.writeInt(m.l);
        for (int i = 0; i < m.nr_class; i++) {
            out.writeInt(m.label[i]);
        }
        for (int i = 0; i < m.nr_class; i++) {
            out.writeInt(m.nSV[i]);
        }
        for (double r : m.rho) {
            out.writeDouble(r);
        }
        for (int j = 0; j < m.nr_class - 1; j++) {
            for (int i = 0; i < m.l; i++) {
                out.writeDouble(m.sv_coef[j][i]);
            }
        }
        for (int i = 0; i < m.l; i++) {
            double[] dense = new double[classes];
            for (svm_node node : m.SV[i]) {
                dense[node.index - 1] = node.value;
            }
            for (double v : dense) {
                out.writeDouble(v);
            }
        }
    }

    static SvmDecision readModel(DataInput in, DecisionSettings s, int k, PairReservoir r) throws IOException {
        SvmDecision d = new SvmDecision(s, k, r);
        d.sinceTraining = in.readInt();
        if (d.sinceTraining < 0) {
            throw new IOException("corrupt SVM schedule " + d.sinceTraining);
        }
        if (!in.readBoolean()) {
            return d;
        }
        double gamma = in.readDouble();
        int nrClass = in.readInt();
        int l = in.readInt();
        if (nrClass < 1 || nrClass > k || l < 0 || l > r.capacity()) {
            throw new IOException("corrupt SVM model: " + nrClass + " classes, " + l + " support vectors");
        }
        svm_model m = new svm_model();
        m.param = parameter(s.svmC(), gamma);
        m.nr_class = nrClass;
        m.l = l;
        m.label = new int[nrClass];
        m.nSV = new int[nrClass];
        for (int i = 0; i < nrClass; i++) {
            m.label[i] = in.readInt();
        }
        int total = 0;
        for (int i = 0; i < nrClass; i++) {
            m.nSV[i] = in.readInt();
            total += m.nSV[i];
        }
        if (total != l) {
            throw new IOException("corrupt SVM model: support vectors per class add up to " + total + ", not " + l);
        }
        m.rho = new double[nrClass * (nrClass - 1) / 2];
        for (int i = 0; i < m.rho.length; i++) {
            m.rho[i] = in.readDouble();
        }
        m.sv_coef = new double[Math.max(nrClass - 1, 0)][l];
        for (int j = 0; j < nrClass - 1; j++) {
            for (int i = 0; i < l; i++) {
                m.sv_coef[j][i] = in.readDouble();
            }
        }
        m.SV = new svm_node[l][];
        for (int i = 0; i < l; i++) {
            m.SV[i] = new svm_node[k];
            for (int j = 0; j < k; j++) {
                m.SV[i][j] = new svm_node();
                m.SV[i][j].index = j + 1;
                m.SV[i][j].value = in.readDouble();
            }
        }
        d.model = m;
        return d;
    }
}
