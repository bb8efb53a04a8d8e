package io.infernet.hardware.fit;

import java.util.List;
import java.util.Objects;

/**
 * Common model sizes with their real shapes (from each model's published config), for a fit table
 * that needs no download. Weight sizes are {@link Quant estimates} from the parameter count.
 */
public final class ModelCatalog {
    private ModelCatalog() {}

    /**
     * A model's shape.
     *
     * @param name       e.g. {@code Llama-3.1-8B}
     * @param parameters weights in all, embeddings included
     * @param nLayer     transformer blocks
     * @param nEmbd      width
     * @param nHead      attention heads
     * @param nHeadKv    key/value heads
     * @param headDim    size of one head
     * @param nCtxTrain  trained context length
     */
    public record Entry(String name, long parameters, int nLayer, int nEmbd, int nHead, int nHeadKv, int headDim, int nCtxTrain) {
        public Entry {
            Objects.requireNonNull(name, "name");
            if (parameters <= 0 || nLayer <= 0 || nEmbd <= 0 || nHead <= 0 || nHeadKv <= 0 || headDim <= 0 || nCtxTrain <= 0) {
                throw new IllegalArgumentException(name + ": every shape value must be > 0");
            }
            if (nHead % nHeadKv != 0) {
                throw new IllegalArgumentException(name + ": heads " + nHead + " not a multiple of KV heads " + nHeadKv);
            }
        }

        /** This model stored as {@code quant}. */
        public ModelFootprint footprint(Quant quant) {
            return new ModelFootprint(name + " " + quant.name(), quant.weightBytes(parameters), nLayer, nEmbd, nHeadKv, headDim, nCtxTrain);
        }
    }

    public static final Entry LLAMA_3_2_1B = new Entry("Llama-3.2-1B", 1_235_814_400L, 16, 2048, 32, 8, 64, 131072);
    public static final Entry LLAMA_3_2_3B = new Entry("Llama-3.2-3B", 3_212_749_824L, 28, 3072, 24, 8, 128, 131072);
    public static final Entry LLAMA_3_1_8B = new Entry("Llama-3.1-8B", 8_030_261_248L, 32, 4096, 32, 8, 128, 131072);
    public static final Entry LLAMA_2_13B = new Entry("Llama-2-13B", 13_015_864_320L, 40, 5120, 40, 40, 128, 4096);
    public static final Entry QWEN_2_5_14B = new Entry("Qwen2.5-14B", 14_770_033_664L, 48, 5120, 40, 8, 128, 32768);
    public static final Entry QWEN_2_5_32B = new Entry("Qwen2.5-32B", 32_763_876_352L, 64, 5120, 40, 8, 128, 32768);
    public static final Entry LLAMA_3_1_70B = new Entry("Llama-3.1-70B", 70_553_706_496L, 80, 8192, 64, 8, 128, 131072);
    public static final Entry QWEN_2_5_72B = new Entry("Qwen2.5-72B", 72_706_203_648L, 80, 8192, 64, 8, 128, 32768);

    /** Smallest first: 1B, 3B, 8B, 13B, 14B, 32B, 70B, 72B. */
    public static final List<Entry> MODELS = List.of(LLAMA_3_2_1B, LLAMA_3_2_3B, LLAMA_3_1_8B, LLAMA_2_13B,
            QWEN_2_5_14B, QWEN_2_5_32B, LLAMA_3_1_70B, QWEN_2_5_72B);
}
