package dev.tandem.job.stream;

import dev.tandem.job.config.TandemConfig;
import dev.tandem.operators.rain.RegionTrainerFunction;
import dev.tandem.operators.rain.ParseAndValidateWeather;
import dev.tandem.operators.rain.RainFrame;
import dev.tandem.operators.rain.RasterizerFunction;
import dev.tandem.operators.common.DeadLetter;
import dev.tandem.operators.rain.Forecast;
import dev.tandem.operators.common.RawRecord;
import dev.tandem.operators.rain.WeatherReading;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The rainfall job: weather readings → parse + validate (dead letters aside) → event time → keyBy(region) → rasterizer (event-time
 * steps → frames; late readings to dead letters) → keyBy(region) → prequential ConvLSTM forecaster trainer →
 * forecasts. Source and sinks are passed in ({@code RainfallMain} passes Kafka ones). Stable uids: the
 * {@code UID_*} constants. Configure the environment with {@link JobEnvironment#configure} (checkpoints, no Kryo).
 */
public final class RainfallJob {
    public static final String UID_SOURCE = "weather-readings-source";
    public static final String UID_PARSE = "rain-parse-validate";
    public static final String UID_EVENT_TIME = "rain-event-time";
    public static final String UID_RASTERIZER = "rain-rasterizer";
    public static final String UID_TRAINER = "rain-forecaster-trainer";
    public static final String UID_FORECAST_SINK = "rain-forecasts-sink";
    public static final String UID_DEAD_LETTER_SINK = "rain-dead-letters-sink";

    /** The two output streams of the job graph. */
    public record Outputs(DataStream<Forecast> forecasts, DataStream<DeadLetter> deadLetters) {
    }

    private final TandemConfig config;
    private final Source<RawRecord, ?, ?> source;
    private final Sink<Forecast> forecastSink;
    private final Sink<DeadLetter> deadLetterSink;

    public RainfallJob(TandemConfig config, Source<RawRecord, ?, ?> source, Sink<Forecast> forecastSink,
                       Sink<DeadLetter> deadLetterSink) {
        this.config = config;
        this.source = source;
        this.forecastSink = forecastSink;
        this.deadLetterSink = deadLetterSink;
    }

    /** Adds the job to env: source, the graph of {@link #wire}, and the sinks. */
    public Outputs attach(StreamExecutionEnvironment env) {
        CheckpointStorageSettings.checkFor(env, config, StateEstimate.rainfall(config));
        DataStream<RawRecord> raw = env.fromSource(source, WatermarkStrategy.noWatermarks(), "weather-readings")
                .uid(UID_SOURCE).returns(TypeInformation.of(RawRecord.class));
        Outputs out = wire(raw, config);
        out.forecasts().sinkTo(forecastSink).name("rain-forecasts").uid(UID_FORECAST_SINK);
        out.deadLetters().sinkTo(deadLetterSink).name("rain-dead-letters").uid(UID_DEAD_LETTER_SINK);
        return out;
    }

    /** The job graph between a stream of raw records and the two outputs. */
    public static Outputs wire(DataStream<RawRecord> raw, TandemConfig config) {
        String region = config.string("rainfall.region");
        SingleOutputStreamOperator<WeatherReading> readings = raw
                .process(new ParseAndValidateWeather(config.weatherRules(), config.recordLimits(), config.eventTimeGate(true)))
                .returns(TypeInformation.of(WeatherReading.class))
                .name("rain-parse-validate").uid(UID_PARSE);
        // event time from the validated readings only: a bad record cannot move the watermark (docs/HARDENING.md)
        SingleOutputStreamOperator<RainFrame> frames = readings
                .assignTimestampsAndWatermarks(JobEnvironment.watermarks(config, (r, previous) -> r.time))
                .name("rain-event-time").uid(UID_EVENT_TIME)
                .keyBy(new RegionKey<>(region), TypeInformation.of(String.class))
                .process(new RasterizerFunction(config.rasterSettings()).withIdleTtl(config.stateIdleTtl()))
                .returns(TypeInformation.of(RainFrame.class))
                .name("rain-rasterizer").uid(UID_RASTERIZER);
        SingleOutputStreamOperator<Forecast> forecasts = frames
                .keyBy(f -> f.region, TypeInformation.of(String.class))
                .process(new RegionTrainerFunction(config.regionSettings(), config.initialModel("rainfall.initial-model"))
                        .withIdleTtl(config.stateIdleTtl()))
                .returns(TypeInformation.of(Forecast.class))
                .name("rain-forecaster-trainer").uid(UID_TRAINER);
        DataStream<DeadLetter> dead = readings.getSideOutput(ParseAndValidateWeather.DEAD_LETTERS)
                .union(frames.getSideOutput(RasterizerFunction.LATE),
                        forecasts.getSideOutput(RegionTrainerFunction.MISFITS));
        return new Outputs(forecasts, dead);
    }

    /** Every reading belongs to the one configured region. */
    static final class RegionKey<T> implements org.apache.flink.api.java.functions.KeySelector<T, String> {
        private final String region;

        RegionKey(String region) {
            this.region = region;
        }

        @Override
        public String getKey(T value) {
            return region;
        }
    }
}
