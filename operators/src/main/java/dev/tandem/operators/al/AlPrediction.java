package dev.tandem.operators.al;

/**
 * The decoder operator's output for one PREDICT signal (a Flink POJO): h_1's output per example ({@link #scores},
 * n × target width), the class probabilities derived from it (softmax of logits with a cross-entropy h_1, else the
 * sigmoid scores normalised to sum 1), and which versions made it: the step of each stage's encoder f_l when the
 * signal passed it, and the version of each decoder h_l used (0: the initial decoder).
 */
public class AlPrediction {
    public String key;
    public long seq;
    public int n;
    public long time;
    public String origin;
    public String label;
    public float[] scores;
    public float[] probabilities;
    public long[] encoderVersions;
    public long[] decoderVersions;

    public AlPrediction() {
    }
}
