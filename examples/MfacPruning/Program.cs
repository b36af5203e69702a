// Prunes three quarters of the weights of a small digits classifier (a 64-32-10 MLP) two ways: by magnitude,
// and by optimal brain surgeon (OBS) with the M-FAC inverse empirical Fisher. OBS ranks weights by the loss
// increase their removal causes and moves the surviving weights to compensate, so at the same sparsity it
// should keep more of the dense network's accuracy; the program checks that it does.
using System.Diagnostics;
using Solvers.Examples;
using Solvers.Mfac;
using Solvers.Models;
using Solvers.Sparse;

const double Sparsity = 0.75;
const int Seed = 11;
const double MinDenseAccuracy = 0.94;
const double MinObsAccuracy = 0.85;

string? path = args.Length > 0 ? args[0] : ExampleData.Find(Path.Combine("datasets", "digits.csv.gz"));
if (args.Length > 0 && !File.Exists(args[0]))
{
    Console.Error.WriteLine($"{args[0]}: file not found");
    return 2;
}
if (path is null)
{
    Console.WriteLine("skipped: ../shared/data/datasets/digits.csv.gz not found (pass the file's path as the first argument)");
    return 0;
}

var clock = Stopwatch.StartNew();
var data = Csv.Read(path);
var (trainX, trainY, testX, testY) = Split(data, testFraction: 0.2, Seed);
var mlp = new Mlp(trainX.GetLength(1), hidden: 32, classes: 10);

// Train the dense network with Adam on mini-batches; the optimizers share the Init/Update shape of Optax.
var weights = mlp.Initialize(Seed);
var adam = new Adam(LearningRate: 3e-3);
using (var state = adam.Init(weights))
{
    var gradient = new double[weights.Length];
    var update = new double[weights.Length];
    var rng = new Random(Seed);
    var order = Enumerable.Range(0, trainY.Length).ToArray();
    const int Batch = 32;
    for (int epoch = 0; epoch < 40; epoch++)
    {
        rng.Shuffle(order);
        for (int start = 0; start + Batch <= order.Length; start += Batch)
        {
            mlp.LossAndGradient(weights, trainX, trainY, gradient, new ArraySegment<int>(order, start, Batch));
            adam.Update(gradient, state, weights, update);
            for (int i = 0; i < weights.Length; i++) weights[i] += update[i];
        }
    }
}
double dense = mlp.Accuracy(weights, testX, testY);
double loss = mlp.LossAndGradient(weights, trainX, trainY, Span<double>.Empty);

// Biases are few and carry the most per weight: both methods prune only the two weight matrices.
var isBias = new bool[weights.Length];
int inputs = mlp.Inputs, hidden = mlp.Hidden, classes = mlp.Classes;
for (int j = 0; j < hidden; j++) isBias[hidden * inputs + j] = true;
for (int q = 0; q < classes; q++) isBias[hidden * inputs + hidden + classes * hidden + q] = true;

var magnitude = (double[])weights.Clone();
Pruning.Magnitude(magnitude, Sparsity, isBias);

// OBS needs gradients at the current weights: m = 64 of them, each the mean over a mini-batch of 16 images,
// taken afresh at each of the 8 steps in which the sparsity rises to the target.
var obs = (double[])weights.Clone();
var sampleOrder = Enumerable.Range(0, trainY.Length).ToArray();
new Random(Seed + 1).Shuffle(sampleOrder);
const int SampleBatch = 16;
var obsOptions = new PruningOptions
{
    TargetSparsity = Sparsity, Steps = 8, Protected = isBias,
    Fisher = new MfacOptions { WindowSize = 64, Lambda = 1e-4 },
};
var pruned = Pruning.OptimalBrainSurgeon(obs, (w, i, g) =>
    mlp.LossAndGradient(w, trainX, trainY, g, new ArraySegment<int>(sampleOrder, i * SampleBatch % (sampleOrder.Length - SampleBatch), SampleBatch)),
    obsOptions);

double magnitudeAccuracy = mlp.Accuracy(magnitude, testX, testY);
double obsAccuracy = mlp.Accuracy(obs, testX, testY);
int zeros = obs.Count(v => v == 0), prunable = isBias.Count(b => !b);

Console.WriteLine($"{Path.GetFileName(path)}: train {trainY.Length}, test {testY.Length}; MLP {inputs}-{hidden}-{classes}, {weights.Length} parameters ({prunable} prunable)");
Console.WriteLine($"dense network: training loss {loss:F4}, test accuracy {dense:P2}");
Console.WriteLine($"pruned to {Sparsity:P0} of the weight matrices ({pruned.Count(p => p)} weights; {zeros} zeros in the OBS weights):");
Console.WriteLine($"  magnitude pruning        test accuracy {magnitudeAccuracy:P2}");
Console.WriteLine($"  OBS with M-FAC (m = {obsOptions.Fisher.WindowSize})   test accuracy {obsAccuracy:P2}");
Console.WriteLine($"elapsed {clock.Elapsed.TotalSeconds:F1} s");

if (!(dense >= MinDenseAccuracy) || !(obsAccuracy >= MinObsAccuracy) || !(obsAccuracy >= magnitudeAccuracy))
{
    Console.Error.WriteLine($"FAILED: dense {dense:P2} (need {MinDenseAccuracy:P0}), OBS {obsAccuracy:P2} (need {MinObsAccuracy:P0} and at least magnitude's {magnitudeAccuracy:P2})");
    return 1;
}
Console.WriteLine("OK");
return 0;

// Pixel values 0..16 scaled to [0, 1]; a seeded split so the accuracies repeat run to run.
static (double[,], int[], double[,], int[]) Split(CsvData data, double testFraction, int seed)
{
    int n = data.Labels.Length, d = data.Features.GetLength(1);
    var order = Enumerable.Range(0, n).ToArray();
    new Random(seed).Shuffle(order);
    int nTest = (int)Math.Round(testFraction * n);
    (double[,], int[]) Rows(ReadOnlySpan<int> idx)
    {
        var x = new double[idx.Length, d];
        var y = new int[idx.Length];
        for (int i = 0; i < idx.Length; i++)
        {
            for (int c = 0; c < d; c++) x[i, c] = data.Features[idx[i], c] / 16.0;
            y[i] = (int)data.Labels[idx[i]];
        }
        return (x, y);
    }
    var (testX, testY) = Rows(order.AsSpan(0, nTest));
    var (trainX, trainY) = Rows(order.AsSpan(nTest));
    return (trainX, trainY, testX, testY);
}
