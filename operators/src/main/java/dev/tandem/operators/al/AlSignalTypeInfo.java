package dev.tandem.operators.al;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.lang.reflect.Type;
import java.util.Map;

/**
 * Flink's type information of {@link AlSignal} ({@code @TypeInfo} on the class): its serializer is
 * {@link AlSignalSerializer}, which writes the float payloads in bulk, so {@code TypeInformation.of(AlSignal.class)}
 * everywhere (stages, the gearbox job's batcher, the benchmark) gets it without naming it.
 */
public final class AlSignalTypeInfo extends TypeInformation<AlSignal> {
    private static final long serialVersionUID = 1L;

    /** The factory {@code @TypeInfo} names. */
    public static final class Factory extends TypeInfoFactory<AlSignal> {
        @Override
        public TypeInformation<AlSignal> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new AlSignalTypeInfo();
        }
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<AlSignal> getTypeClass() {
        return AlSignal.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<AlSignal> createSerializer(SerializerConfig config) {
        return new AlSignalSerializer();
    }

    @Override
    public String toString() {
        return "AlSignal";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AlSignalTypeInfo;
    }

    @Override
    public int hashCode() {
        return AlSignalTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof AlSignalTypeInfo;
    }
}
