package dev.tandem.operators.gearbox;

import dev.tandem.learning.al.DecoderLoss;
import dev.tandem.learning.optim.TrainingGuard;
import dev.tandem.learning.tensor.DType;
import dev.tandem.operators.al.AlOptimizerSettings;
import dev.tandem.operators.al.AlStageSettings;

import java.io.Serializable;
import java.util.List;

/**
 * How a fleet learns with {@code gearbox.training.mode = associated}: the class names, the mini-batch
 * ({@code gearbox.batch}), per-channel normalisation, the model seed and backend (as in backprop mode), and the AL
 * keys {@code gearbox.al.*}: components L and the blocks of each (null: the even cut), label width, decoder loss of h_1, the optimizer and its two learning
 * rates, how often stages publish their decoders, and how many slot sharing groups the stages are spread over; and
 * the numerical guard of the stages' steps ({@code training.*}).
 */
public record AlFleetSettings(List<String> classes, int batch, boolean normalize, long seed, String backend,
                              int components, int[] blocks, int labelWidth, DecoderLoss firstDecoderLoss, String optimizer,
                              double associationLr, double autoencoderLr, int snapshotEvery, int slotGroups,
                              TrainingGuard guard) implements Serializable {

    /** Settings with the default numerical guard (clipping off). */
    public AlFleetSettings(List<String> classes, int batch, boolean normalize, long seed, String backend,
                           int components, int[] blocks, int labelWidth, DecoderLoss firstDecoderLoss, String optimizer,
                           double associationLr, double autoencoderLr, int snapshotEvery, int slotGroups) {
        this(classes, batch, normalize, seed, backend, components, blocks, labelWidth, firstDecoderLoss, optimizer,
                associationLr, autoencoderLr, snapshotEvery, slotGroups, TrainingGuard.DEFAULT);
    }

    public AlFleetSettings {
        if (guard == null) {
            guard = TrainingGuard.DEFAULT;
        }
        classes = List.copyOf(classes);
        blocks = blocks == null ? null : blocks.clone();
        stage(classes, components, blocks, labelWidth, firstDecoderLoss, optimizer, associationLr, autoencoderLr, seed,
                backend, snapshotEvery); // fails now, naming the key
    }

    public AlStageSettings stageSettings() {
        return stage(classes, components, blocks, labelWidth, firstDecoderLoss, optimizer, associationLr, autoencoderLr, seed,
                backend, snapshotEvery).withGuard(guard);
    }

    private static AlStageSettings stage(List<String> classes, int components, int[] blocks, int labelWidth,
                                         DecoderLoss loss,
                                         String optimizer, double asLr, double aeLr, long seed, String backend,
                                         int snapshotEvery) {
        double slopes = optimizer.equals("adam+n-laaf") ? 10 : 0;
        AlGearboxArchitecture arch = blocks == null
                ? new AlGearboxArchitecture(classes.size(), components, labelWidth, loss, slopes)
                : new AlGearboxArchitecture(classes.size(), components, labelWidth, loss, slopes, blocks);
        return new AlStageSettings(arch, components, backend, DType.FLOAT32, seed,
                new AlOptimizerSettings(optimizer, asLr, aeLr, seed), snapshotEvery, null);
    }
}
