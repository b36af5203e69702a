namespace Solvers.Models;

/// <summary>
/// A one-hidden-layer perceptron with ReLU activations and a softmax cross-entropy loss, written out by hand (no
/// autodiff): the model that the M-FAC optimizer and pruning benchmarks train. Parameters are one flat vector,
/// laid out as W1 (hidden x inputs), b1 (hidden), W2 (classes x hidden), b2 (classes), because the optimizers
/// see only flat gradients.
/// </summary>
/// <remarks>Thread safety: immutable; <see cref="LossAndGradient"/> may be called concurrently with separate outputs.</remarks>
public sealed class Mlp
{
    /// <summary>Creates the model's shape.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1 (classes less than 2).</exception>
    public Mlp(int inputs, int hidden, int classes)
    {
        if (inputs < 1) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "At least one input.");
        if (hidden < 1) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "At least one hidden unit.");
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "At least two classes.");
        Inputs = inputs;
        Hidden = hidden;
        Classes = classes;
    }

    /// <summary>Features per sample.</summary>
    public int Inputs { get; }

    /// <summary>Hidden units.</summary>
    public int Hidden { get; }

    /// <summary>Classes (outputs).</summary>
    public int Classes { get; }

    /// <summary>Length of the flat parameter vector.</summary>
    public int ParameterCount => Hidden * Inputs + Hidden + Classes * Hidden + Classes;

    /// <summary>He-initialised weights and zero biases from <paramref name="seed"/> (Box-Muller on System.Random).</summary>
    public double[] Initialize(int seed)
    {
        var rng = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var w = new double[ParameterCount];
        double s1 = Math.Sqrt(2.0 / Inputs), s2 = Math.Sqrt(2.0 / Hidden);
        for (int i = 0; i < Hidden * Inputs; i++) w[i] = s1 * Normal();
        int w2 = Hidden * Inputs + Hidden;
        for (int i = 0; i < Classes * Hidden; i++) w[w2 + i] = s2 * Normal();
        return w;
    }

    private void CheckShapes(ReadOnlySpan<double> parameters, double[,] x, int[] labels)
    {
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"parameters has length {parameters.Length} but the model has {ParameterCount}.", nameof(parameters));
        if (x.GetLength(1) != Inputs) throw new ArgumentException($"x has {x.GetLength(1)} columns but the model has {Inputs} inputs.", nameof(x));
        if (x.GetLength(0) != labels.Length) throw new ArgumentException($"x has {x.GetLength(0)} rows but labels has {labels.Length} entries.", nameof(labels));
        foreach (int l in labels)
            if (l < 0 || l >= Classes) throw new ArgumentException($"label {l} is outside 0..{Classes - 1}.", nameof(labels));
    }

    /// <summary>
    /// Mean cross-entropy over the rows <paramref name="rows"/> of <paramref name="x"/> (all rows when null), and
    /// its gradient written to <paramref name="gradient"/> (when not empty).
    /// </summary>
    /// <exception cref="ArgumentException">The sizes disagree or a label is out of range.</exception>
    public double LossAndGradient(ReadOnlySpan<double> parameters, double[,] x, int[] labels, Span<double> gradient, IReadOnlyList<int>? rows = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        CheckShapes(parameters, x, labels);
        bool wantGradient = !gradient.IsEmpty;
        if (wantGradient)
        {
            if (gradient.Length != ParameterCount) throw new ArgumentException($"gradient has length {gradient.Length} but the model has {ParameterCount}.", nameof(gradient));
            gradient.Clear();
        }
        int h = Hidden, c = Classes, d = Inputs;
        int b1 = h * d, w2 = b1 + h, b2 = w2 + c * h;
        int count = rows?.Count ?? x.GetLength(0);
        var z = new double[h];
        var a = new double[h];
        var o = new double[c];
        var dz = new double[h];
        double loss = 0;
        for (int r = 0; r < count; r++)
        {
            int k = rows?[r] ?? r;
            for (int j = 0; j < h; j++)
            {
                double s = parameters[b1 + j];
                for (int i = 0; i < d; i++) s += parameters[j * d + i] * x[k, i];
                z[j] = s;
                a[j] = Math.Max(0, s);
            }
            double max = double.NegativeInfinity;
            for (int q = 0; q < c; q++)
            {
                double s = parameters[b2 + q];
                for (int j = 0; j < h; j++) s += parameters[w2 + q * h + j] * a[j];
                o[q] = s;
                max = Math.Max(max, s);
            }
            // Log-sum-exp shifted by the maximum, so large logits do not overflow.
            double sum = 0;
            for (int q = 0; q < c; q++) sum += Math.Exp(o[q] - max);
            loss += max + Math.Log(sum) - o[labels[k]];
            if (!wantGradient) continue;
            Array.Clear(dz);
            for (int q = 0; q < c; q++)
            {
                double dq = (Math.Exp(o[q] - max) / sum - (q == labels[k] ? 1 : 0)) / count;
                gradient[b2 + q] += dq;
                for (int j = 0; j < h; j++)
                {
                    gradient[w2 + q * h + j] += dq * a[j];
                    dz[j] += dq * parameters[w2 + q * h + j];
                }
            }
            for (int j = 0; j < h; j++)
            {
                if (z[j] <= 0) continue;
                gradient[b1 + j] += dz[j];
                for (int i = 0; i < d; i++) gradient[j * d + i] += dz[j] * x[k, i];
            }
        }
        return loss / count;
    }

    /// <summary>Predicted class of each row (the largest logit).</summary>
    public int[] Predict(ReadOnlySpan<double> parameters, double[,] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckShapes(parameters, x, new int[x.GetLength(0)]);
        int h = Hidden, c = Classes, d = Inputs, b1 = h * d, w2 = b1 + h, b2 = w2 + c * h;
        var result = new int[x.GetLength(0)];
        var a = new double[h];
        for (int k = 0; k < result.Length; k++)
        {
            for (int j = 0; j < h; j++)
            {
                double s = parameters[b1 + j];
                for (int i = 0; i < d; i++) s += parameters[j * d + i] * x[k, i];
                a[j] = Math.Max(0, s);
            }
            int best = 0;
            double bestValue = double.NegativeInfinity;
            for (int q = 0; q < c; q++)
            {
                double s = parameters[b2 + q];
                for (int j = 0; j < h; j++) s += parameters[w2 + q * h + j] * a[j];
                if (s > bestValue) { bestValue = s; best = q; }
            }
            result[k] = best;
        }
        return result;
    }

    /// <summary>Fraction of rows whose predicted class equals the label.</summary>
    public double Accuracy(ReadOnlySpan<double> parameters, double[,] x, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var p = Predict(parameters, x);
        if (p.Length != labels.Length) throw new ArgumentException($"x has {p.Length} rows but labels has {labels.Length} entries.", nameof(labels));
        return p.Length == 0 ? double.NaN : (double)p.Where((v, k) => v == labels[k]).Count() / p.Length;
    }
}
