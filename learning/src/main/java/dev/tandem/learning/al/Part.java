package dev.tandem.learning.al;

/** The four networks of one AL component (ALGORITHMS.md §1). */
public enum Part {
    /** f_l: s_l = f_l(sg(s_{l-1})). Trained by the association loss. */
    ENCODER,
    /** b_l: s-space to t-space. Trained by the association loss; only b_L is used at inference. */
    BRIDGE,
    /** g_l: t_l = g_l(sg(t_{l-1})). Trained by the autoencoder loss. */
    LABEL_ENCODER,
    /** h_l: t_l to t_{l-1}. Trained by the autoencoder loss; every h_l is used at inference. */
    LABEL_DECODER
}
