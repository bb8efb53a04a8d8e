package io.infernet.runtime;

/**
 * How a model is loaded.
 *
 * @param gpuLayers    layers offloaded to GPUs: -1 = all (the default; ignored without a GPU backend), 0 = none
 * @param useMmap      map the file instead of reading it (faster start, shared page cache)
 * @param vocabOnly    load only the vocabulary, no weights (tokenizer use)
 * @param checkTensors validate tensor data while loading (slow; for suspect files)
 */
public record ModelParams(int gpuLayers, boolean useMmap, boolean vocabOnly, boolean checkTensors) {
    public ModelParams {
        if (gpuLayers < -1) {
            throw new IllegalArgumentException("gpuLayers must be -1 (all), 0 or more, got " + gpuLayers);
        }
    }

    public static ModelParams defaults() {
        return new ModelParams(-1, true, false, false);
    }

    public static ModelParams vocabularyOnly() {
        return new ModelParams(0, true, true, false);
    }

    public ModelParams withGpuLayers(int n) {
        return new ModelParams(n, useMmap, vocabOnly, checkTensors);
    }
}
