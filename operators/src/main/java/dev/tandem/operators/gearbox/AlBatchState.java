package dev.tandem.operators.gearbox;

/**
 * The AL window batcher's keyed state for one fleet (a Flink POJO): the window shape its model was built for,
 * the labelled windows waiting for the next mini-batch, and the counts of windows and batches sent (the sequence
 * numbers of the PREDICT and TRAIN signals).
 */
public class AlBatchState {
    public int channels;
    public int length;
    public float[] inputs;
    public int[] labels;
    public int count;
    public long windows;
    public long batches;

    public AlBatchState() {
    }
}
