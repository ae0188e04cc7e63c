package dev.tandem.backend.nd4j;

import org.bytedeco.javacpp.Pointer;

/** Child-JVM probe for {@link Nd4jRuntimeCapsTest}: loads ND4J through the provider and prints JavaCPP's caps. */
public final class CapsMain {
    private CapsMain() {
    }

    public static void main(String[] args) {
        var a = new Nd4jBackendProvider().probe();
        System.out.println("usable=" + a.usable());
        System.out.println("maxMemory=" + Runtime.getRuntime().maxMemory());
        System.out.println("maxBytes=" + Pointer.maxBytes());
        System.out.println("maxPhysicalBytes=" + Pointer.maxPhysicalBytes());
        System.out.println("reason=" + a.reason());
    }
}
