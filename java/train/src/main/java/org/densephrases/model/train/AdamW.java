package org.densephrases.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (decoupled weight decay; none on biases and LayerNorm) with global-norm gradient clipping, using the engine's
 * fused Adam update. Its own class rather than DJL's optimizer because a checkpoint must hold the moment estimates
 * (DJL keeps them private): {@link #state()} exposes them for saving, {@link #restore} puts them back.
 */
public final class AdamW {
  private final Map<String, Parameter> params; // trainable only, stable order
  private final Map<String, NDArray> means = new LinkedHashMap<>();
  private final Map<String, NDArray> variances = new LinkedHashMap<>();
  private final NDManager manager;
  private final float beta1 = 0.9f;
  private final float beta2 = 0.999f;
  private final float epsilon = 1e-6f;
  private final float weightDecay;
  private final float clipNorm;
  private String lastSkipReason;

  /**
   * AdamW over the trainable parameters (beta1 0.9, beta2 0.999, epsilon 1e-6), with global-norm gradient clipping.
   *
   * @param trainable parameter name to parameter; frozen ones must be left out
   * @param manager the manager (and device) the moment arrays live on
   * @param weightDecay decoupled weight decay per step, scaled by the learning rate (0.01 in BERT)
   * @param clipNorm the global gradient norm is clipped to this value
   */
  public AdamW(Map<String, Parameter> trainable, NDManager manager, float weightDecay, float clipNorm) {
    this.params = new LinkedHashMap<>(trainable);
    this.manager = manager;
    this.weightDecay = weightDecay;
    this.clipNorm = clipNorm;
  }

  /**
   * One update at 1-based step {@code t} with learning rate {@code lr}; returns the gradient's global norm (before
   * clipping). Non-finite gradients skip the update (see {@link #lastSkipReason()}) instead of poisoning the weights.
   *
   * @param t the step number, from 1 (bias correction uses it)
   * @param lr the learning rate of this step
   * @return the gradient's global L2 norm before clipping (non-finite when the update was skipped)
   */
  public float step(int t, float lr) {
    // One device-to-host read for all squared norms (a read per parameter is a sync per parameter on a GPU).
    List<NDArray> grads = new ArrayList<>(params.size());
    NDList sums = new NDList(params.size());
    for (Parameter p : params.values()) {
      NDArray g = p.getArray().getGradient();
      grads.add(g);
      try (NDArray g2 = g.square()) { // temporaries would otherwise live as long as g
        sums.add(g2.sum());
      }
    }
    float[] each;
    try (NDArray all = NDArrays.stack(sums)) {
      each = all.toFloatArray();
    }
    sums.close();
    double sq = 0;
    for (float v : each) {
      sq += v;
    }
    float norm = (float) Math.sqrt(sq);
    if (!Float.isFinite(norm)) {
      List<String> bad = new ArrayList<>();
      int k = 0;
      for (String name : params.keySet()) {
        if (!Float.isFinite(each[k++])) {
          bad.add(name);
        }
      }
      lastSkipReason = "gradient norm is " + norm + " at step " + t + ": non-finite gradients in "
          + (bad.size() > 5 ? bad.subList(0, 5) + " and " + (bad.size() - 5) + " more" : bad);
      // Skip the update; clear the gradients in place (NaN * 0 is NaN; set(Buffer) would swap in Java memory that
      // dies with the handle).
      for (Parameter p : params.values()) {
        ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) p.getArray());
      }
      for (NDArray g : grads) {
        g.close();
      }
      return norm;
    }
    lastSkipReason = null;
    float rescale = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1f;
    double coef1 = 1.0 - Math.pow(beta1, t);
    double coef2 = 1.0 - Math.pow(beta2, t);
    float lrCorrected = (float) (lr * Math.sqrt(coef2) / coef1);
    int i = 0;
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      NDArray w = e.getValue().getArray();
      NDArray g = grads.get(i++);
      NDArray m = means.computeIfAbsent(e.getKey(), k -> manager.zeros(w.getShape()));
      NDArray v = variances.computeIfAbsent(e.getKey(), k -> manager.zeros(w.getShape()));
      float wd = decays(e.getValue()) ? weightDecay : 0f;
      w.getNDArrayInternal().adamUpdate(new NDList(w, g, m, v), new NDList(w), lr, lrCorrected, wd, rescale, -1f,
          beta1, beta2, epsilon, true, true);
    }
    // The engine's adamUpdate zeroes each weight's gradient after the update (PyTorch would accumulate otherwise).
    for (NDArray g : grads) {
      g.close(); // only this handle; the parameter keeps its gradient tensor
    }
    return norm;
  }

  /**
   * Why the last {@link #step} skipped its update (non-finite gradients), or null when it did not.
   *
   * @return the reason, or null
   */
  public String lastSkipReason() {
    return lastSkipReason;
  }

  private static boolean decays(Parameter p) {
    return p.getType() == Parameter.Type.WEIGHT && p.getShape().dimension() >= 2;
  }

  /**
   * name -> {mean, variance} as float arrays (parameters never updated yet are absent).
   *
   * @return a copy of the first and second moments per parameter name
   */
  public Map<String, float[][]> state() {
    Map<String, float[][]> out = new LinkedHashMap<>();
    for (String k : means.keySet()) {
      out.put(k, new float[][] {means.get(k).toFloatArray(), variances.get(k).toFloatArray()});
    }
    return out;
  }

  /**
   * Restores moments saved by {@link #state()} (a resumed run continues where it stopped).
   *
   * @param state name to {mean, variance}, each the parameter's size; names of other parameters are an error
   */
  public void restore(Map<String, float[][]> state) {
    for (Map.Entry<String, float[][]> e : state.entrySet()) {
      Parameter p = params.get(e.getKey());
      if (p == null) {
        throw new IllegalArgumentException("checkpoint has optimizer state for '" + e.getKey()
            + "', which is not a trainable parameter of this model");
      }
      means.put(e.getKey(), manager.create(e.getValue()[0], p.getShape()));
      variances.put(e.getKey(), manager.create(e.getValue()[1], p.getShape()));
    }
  }
}
