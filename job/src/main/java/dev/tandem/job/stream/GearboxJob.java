package dev.tandem.job.stream;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.operators.gearbox.AlertFunction;
import dev.tandem.models.gearbox.GearboxCnnFactory;
import dev.tandem.operators.gearbox.FleetTrainerFunction;
import dev.tandem.models.gearbox.ModelFactory;
import dev.tandem.operators.gearbox.Alert;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.gearbox.Prediction;
import dev.tandem.operators.common.RawRecord;
import dev.tandem.operators.gearbox.VibrationWindow;
import dev.tandem.operators.gearbox.ParseAndValidate;
import dev.tandem.operators.al.AlPipeline;
import dev.tandem.operators.al.AlSignal;
import dev.tandem.operators.gearbox.AlFleetSettings;
import dev.tandem.operators.gearbox.AlPredictionMapper;
import dev.tandem.operators.gearbox.AlWindowBatcher;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;


/**
 * The gearbox job: vibration windows → parse + validate (dead letters aside) → event time → keyBy(fleet) → prequential fleet
 * trainer → predictions (with {@code gearbox.training.mode = associated}: → AL batcher → L AL stage operators →
 * decoder operator → predictions, {@link AlPipeline}); predictions → keyBy(machine) → alert function → alerts. A small class whose source and
 * sinks are passed in: {@code GearboxMain} passes Kafka ones, tests may pass others. Every stateful operator and
 * every sink has a stable uid (the {@code UID_*} constants), so checkpoints and savepoints survive changes.
 */
public final class GearboxJob {
    public static final String UID_SOURCE = "gearbox-windows-source";
    public static final String UID_PARSE = "gearbox-parse-validate";
    public static final String UID_EVENT_TIME = "gearbox-event-time";
    public static final String UID_TRAINER = "gearbox-fleet-trainer";
    public static final String UID_ALERTS = "gearbox-alerts";
    /** Associated mode: the batcher, the stages ({@code gearbox-al-stage-1..L}), the decoders, the mapping. */
    public static final String UID_AL_BATCHER = "gearbox-al-batcher";
    public static final String UID_AL_PREFIX = "gearbox-";
    public static final String UID_AL_PREDICTIONS = "gearbox-al-predictions";
    public static final String UID_PREDICTION_SINK = "gearbox-predictions-sink";
    public static final String UID_ALERT_SINK = "gearbox-alerts-sink";
    public static final String UID_DEAD_LETTER_SINK = "dead-letters-sink";

    /** The three output streams of the job graph. */
    public record Outputs(DataStream<Prediction> predictions, DataStream<Alert> alerts, DataStream<DeadLetter> deadLetters) {
    }

    private final TandemConfig config;
    private final Source<RawRecord, ?, ?> source;
    private final Sink<Prediction> predictionSink;
    private final Sink<Alert> alertSink;
    private final Sink<DeadLetter> deadLetterSink;
    private final ModelFactory factory;

    public GearboxJob(TandemConfig config, Source<RawRecord, ?, ?> source, Sink<Prediction> predictionSink,
            Sink<Alert> alertSink, Sink<DeadLetter> deadLetterSink) {
        this(config, source, predictionSink, alertSink, deadLetterSink, new GearboxCnnFactory());
    }

    public GearboxJob(TandemConfig config, Source<RawRecord, ?, ?> source, Sink<Prediction> predictionSink,
            Sink<Alert> alertSink, Sink<DeadLetter> deadLetterSink, ModelFactory factory) {
        this.config = config;
        this.source = source;
        this.predictionSink = predictionSink;
        this.alertSink = alertSink;
        this.deadLetterSink = deadLetterSink;
        this.factory = factory;
    }

    /** Adds the job to env: source, the graph of {@link #wire}, and the sinks. */
    public Outputs attach(StreamExecutionEnvironment env) {
        CheckpointStorageSettings.checkFor(env, config, StateEstimate.gearbox(config));
        DataStream<RawRecord> raw = env.fromSource(source, WatermarkStrategy.noWatermarks(), "gearbox-windows")
                .uid(UID_SOURCE).returns(TypeInformation.of(RawRecord.class));
        Outputs out = wire(raw, config, factory);
        out.predictions().sinkTo(predictionSink).name("gearbox-predictions").uid(UID_PREDICTION_SINK);
        out.alerts().sinkTo(alertSink).name("gearbox-alerts").uid(UID_ALERT_SINK);
        out.deadLetters().sinkTo(deadLetterSink).name("dead-letters").uid(UID_DEAD_LETTER_SINK);
        return out;
    }

    /** The job graph between a stream of raw records and the three outputs. */
    public static Outputs wire(DataStream<RawRecord> raw, TandemConfig config, ModelFactory factory) {
        SingleOutputStreamOperator<VibrationWindow> windows = raw
                .process(new ParseAndValidate(config.validationRules(), config.recordLimits(), config.eventTimeGate(false)))
                .returns(TypeInformation.of(VibrationWindow.class))
                .name("parse-validate").uid(UID_PARSE);
        DataStream<VibrationWindow> timed = windows
                .assignTimestampsAndWatermarks(JobEnvironment.watermarks(config, (w, previous) -> w.time))
                .name("gearbox-event-time").uid(UID_EVENT_TIME);
        DataStream<Prediction> predictions;
        DataStream<DeadLetter> misfits;
        if (config.associatedLearning()) {
            AlFleetSettings al = config.alFleetSettings();
            SingleOutputStreamOperator<AlSignal> signals = timed
                    .keyBy(w -> w.fleet, TypeInformation.of(String.class))
                    .process(new AlWindowBatcher(al))
                    .returns(TypeInformation.of(AlSignal.class))
                    .name("al-batcher").uid(UID_AL_BATCHER);
            AlPipeline.Outputs stages = AlPipeline.wire(signals, al.stageSettings(), al.slotGroups(), UID_AL_PREFIX);
            predictions = stages.predictions()
                    .map(new AlPredictionMapper(al.classes()))
                    .returns(TypeInformation.of(Prediction.class))
                    .name("al-predictions").uid(UID_AL_PREDICTIONS);
            misfits = signals.getSideOutput(AlWindowBatcher.MISFITS).union(stages.faults());
        } else {
            SingleOutputStreamOperator<Prediction> trained = timed
                    .keyBy(w -> w.fleet, TypeInformation.of(String.class))
                    .process(new FleetTrainerFunction(config.fleetSettings(), config.decisionPolicy(), factory,
                            config.initialModel("gearbox.initial-model")).withIdleTtl(config.stateIdleTtl()))
                    .returns(TypeInformation.of(Prediction.class))
                    .name("fleet-trainer").uid(UID_TRAINER);
            predictions = trained;
            misfits = trained.getSideOutput(FleetTrainerFunction.MISFITS);
        }
        DataStream<Alert> alerts = predictions
                .keyBy(p -> p.machine, TypeInformation.of(String.class))
                .process(new AlertFunction(config.alertSettings(), config.alertStateTtl()))
                .returns(TypeInformation.of(Alert.class))
                .name("alert-function").uid(UID_ALERTS);
        DataStream<DeadLetter> dead = windows.getSideOutput(ParseAndValidate.DEAD_LETTERS)
                .union(misfits);
        return new Outputs(predictions, alerts, dead);
    }
}
