package dev.tandem.backend.cuda;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameter lists of the PTX module's kernels, as one letter per parameter: '4' (32-bit integer), '8' (64-bit
 * integer or device pointer), 'd' (double), 'f' (float). Every launch is checked against them, so that a Java call
 * and a kernel that disagree fail with the kernel's name instead of corrupting device memory.
 */
final class KernelSignatures {
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+\\.(\\w+)");

    private final Map<String, String> byName;

    private KernelSignatures(Map<String, String> byName) {
        this.byName = byName;
    }

    static KernelSignatures parse(String ptx) {
        Map<String, String> m = new HashMap<>();
        Matcher e = ENTRY.matcher(ptx);
        while (e.find()) {
            StringBuilder sig = new StringBuilder();
            Matcher p = PARAM.matcher(e.group(2));
            while (p.find()) {
                sig.append(switch (p.group(1)) {
                    case "u32", "s32", "b32" -> '4';
                    case "u64", "s64", "b64" -> '8';
                    case "f64" -> 'd';
                    case "f32" -> 'f';
                    default -> '?';
                });
            }
            m.put(e.group(1), sig.toString());
        }
        return new KernelSignatures(m);
    }

    /** The signature of a kernel, or null when the module has no such kernel. */
    String of(String kernel) {
        return byName.get(kernel);
    }

    int size() {
        return byName.size();
    }

    void check(String kernel, String argTypes) {
        String want = byName.get(kernel);
        if (want == null) {
            throw new IllegalStateException("the PTX module has no kernel " + kernel);
        }
        if (!want.equals(argTypes)) {
            throw new IllegalStateException("kernel " + kernel + " takes (" + want + ") but was given (" + argTypes
                    + ")");
        }
    }
}
