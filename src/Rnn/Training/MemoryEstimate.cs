// What a training run will hold, computed from its sizes before anything is allocated, so that a model or batch that
// cannot fit is refused with figures instead of growing until the kernel kills the process. The parts follow the
// buffers of the code one for one (SequenceModel, RecurrentNetwork, RecurrentLayer, the optimizers, Checkpoint.Save);
// a change there that adds a buffer of T·B rows belongs here too (tests/Rnn.Tests/Training/MemoryEstimateTests.cs
// compares the estimate with what a real step keeps).
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Optim;

namespace Rnn.Training;

/// <summary>The memory a training run needs, in bytes, by part.</summary>
public sealed record MemoryEstimate
{
    // The GEMM's per-thread packing buffers at their largest: MC·KC ≈ 256 KiB of A and KC·NC = 256 × 4096 values of B.
    private const long PackingValuesPerThread = (1 << 18) / 4 + 256L * 4096;

    /// <summary>The parameter values.</summary>
    public long Parameters { get; init; }

    /// <summary>Their gradients (the same size).</summary>
    public long Gradients { get; init; }

    /// <summary>The optimizer's state: Adam's two moments, Adagrad's sums, SGD's momentum.</summary>
    public long OptimizerState { get; init; }

    /// <summary>What one step keeps for backpropagation through time: every layer's and direction's states, gates and deltas for T·B rows, the head's scores and their gradients.</summary>
    public long Activations { get; init; }

    /// <summary>Each recurrent weight matrix W_hh packed twice, for the steps of forward and of backward.</summary>
    public long PackedWeights { get; init; }

    /// <summary>The matrix product's per-thread packing buffers, at their largest.</summary>
    public long Workspace { get; init; }

    /// <summary>The copy of the parameters and optimizer state made while a checkpoint is written.</summary>
    public long CheckpointWrite { get; init; }

    /// <summary>The data held during training: token ids, examples, a loaded checkpoint.</summary>
    public long Data { get; init; }

    /// <summary>The largest single array, in elements: more than <see cref="Array.MaxLength"/> cannot be allocated at all.</summary>
    public long LargestArray { get; init; }

    /// <summary>The sum of the parts.</summary>
    public long Total => Parameters + Gradients + OptimizerState + Activations + PackedWeights + Workspace + CheckpointWrite + Data;

    /// <summary>
    /// The estimate for training <paramref name="config"/> on batches of <paramref name="batchSize"/> sequences of
    /// at most <paramref name="sequenceLength"/> steps (for labelled data, the longest example after any cut).
    /// </summary>
    /// <param name="momentum">SGD's momentum (state only when positive).</param>
    /// <param name="dataBytes">Bytes of data held beside the model (token ids, examples, a checkpoint being resumed).</param>
    /// <param name="threads">Threads of the matrix products.</param>
    /// <param name="evaluationBatch">Sequences of a forward-only pass for validation, when more than <paramref name="batchSize"/> (its buffers then grow to it).</param>
    public static MemoryEstimate ForTraining<T>(ModelConfig config, int sequenceLength, int batchSize, OptimizerKind optimizer,
        double momentum = 0.9, long dataBytes = 0, int threads = 1, int evaluationBatch = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(dataBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        ArgumentOutOfRangeException.ThrowIfNegative(evaluationBatch);
        long e = Unsafe.SizeOf<T>();
        RnnOptions n = config.Network;
        long h = n.HiddenSize, g = RecurrentLayer<float>.GateCount(n.Cell), d = n.NumDirections;
        long width = n.OutputSize, outputs = config.OutputSize;
        long rows = (long)sequenceLength * batchSize;
        long headRows = config.PerSequence ? batchSize : rows;

        long parameters = ParameterCount(config);
        long optimizerBuffers = optimizer switch
        {
            OptimizerKind.Adam => 2,
            OptimizerKind.Adagrad => 1,
            _ => momentum > 0 ? 1 : 0,
        };
        // Buffers only grow: those of the forward pass to the wider of the two batches, those of backward to the training batch.
        long activations = StepValues(config, sequenceLength, batchSize, backward: true);
        if (evaluationBatch > batchSize)
            activations += StepValues(config, sequenceLength, evaluationBatch, backward: false) - StepValues(config, sequenceLength, batchSize, backward: false);
        long largest = Math.Max(parameters, Math.Max(g * h * h, Math.Max(rows * g * h, Math.Max(headRows * outputs, rows * width))));
        long packed = n.NumLayers * d * 2 * g * h * h;

        return new MemoryEstimate
        {
            Parameters = parameters * e,
            Gradients = parameters * e,
            OptimizerState = optimizerBuffers * parameters * e,
            Activations = activations * e,
            PackedWeights = packed * e,
            Workspace = threads * PackingValuesPerThread * e,
            CheckpointWrite = (1 + optimizerBuffers) * parameters * e,
            Data = dataBytes,
            LargestArray = largest,
        };
    }

    /// <summary>The values (ids counted as one each) a step over T·B rows keeps: forward and backward, or forward alone.</summary>
    private static long StepValues(ModelConfig config, int sequenceLength, int batchSize, bool backward)
    {
        RnnOptions n = config.Network;
        long h = n.HiddenSize, d = n.NumDirections, layers = n.NumLayers;
        long input = n.InputSize, width = n.OutputSize, outputs = config.OutputSize;
        long batch = batchSize, rows = (long)sequenceLength * batchSize;
        long headRows = config.PerSequence ? batch : rows;
        // SequenceModel: token ids, embedded inputs (and their gradient), scores (then ∂L/∂Z), ∂L/∂Y, pooled outputs.
        long model = headRows * outputs + (backward ? rows * width : 0);
        if (config.TokenInput) model += (backward ? 2 : 1) * rows * input + rows;
        if (config.PerSequence) model += (backward ? 2 : 1) * batch * width;
        // RecurrentNetwork: its time-major input, each layer's output, dropout's masks and dropped outputs, the two
        // gradient buffers of backward, initial and final states and their gradients.
        long network = rows * input + layers * rows * width + 8 * layers * d * batch * h;
        if (backward) network += 2 * rows * Math.Max(width, input);
        if (backward && n.Dropout > 0 && layers > 1) network += 2 * (layers - 1) * rows * width;
        // Each RecurrentLayer: the saved gates and deltas, an LSTM's cells, a GRU's hidden parts and hidden deltas.
        long perLayer = (n.Cell, backward) switch
        {
            (CellKind.Lstm, true) => rows * (4 * h + 2 * h + 4 * h) + batch * (4 * h + 5 * h),
            (CellKind.Lstm, false) => rows * (4 * h + 2 * h) + batch * (4 * h + 2 * h),
            (CellKind.Gru, true) => rows * (3 * h + h + 3 * h + 3 * h) + batch * (3 * h + 5 * h),
            (CellKind.Gru, false) => rows * (3 * h + h) + batch * (3 * h + 2 * h),
            (_, true) => rows * h + 2 * batch * h,
            _ => 2 * batch * h,
        };
        // With variable lengths (classify, tag), each layer's compact copies of the valid rows: its input (then previous
        // states, then dX) and, for backward, Δ (and a GRU's Δ^h). At most T·B rows each.
        if (config.Task is ModelTask.Classify or ModelTask.Tag)
        {
            long gates = RecurrentLayer<float>.GateCount(n.Cell) * h;
            perLayer += rows * Math.Max(Math.Max(input, width), h);
            if (backward) perLayer += rows * gates * (n.Cell == CellKind.Gru ? 2 : 1);
        }
        // The batch source's ids and targets (and the carried state of a language model).
        long source = 2 * rows + 2 * layers * d * batch * h;
        return model + network + layers * d * perLayer + source;
    }

    /// <summary>The number of parameters of <paramref name="config"/>, computed from its sizes (the model's <c>Parameters.Count</c>).</summary>
    public static long ParameterCount(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        RnnOptions n = config.Network;
        long h = n.HiddenSize, gh = RecurrentLayer<float>.GateCount(n.Cell) * h;
        long count = config.TokenInput ? (long)config.VocabularySize * n.InputSize : 0;
        for (int layer = 0; layer < n.NumLayers; layer++)
            count += n.NumDirections * (gh * n.LayerInputSize(layer) + gh * h + (n.Bias ? 2 * gh : 0));
        return count + (long)config.OutputSize * n.OutputSize + config.OutputSize;
    }

    /// <summary>
    /// The memory this process can still take: the memory available to it (the machine's, or its container's or GC
    /// heap's limit) less what it uses already, and on Linux no more than the kernel's MemAvailable.
    /// </summary>
    public static long AvailableBytes()
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes - Environment.WorkingSet;
        if (OperatingSystem.IsLinux() && LinuxMemAvailable() is long free) available = Math.Min(available, free);
        return Math.Max(0, available);
    }

    /// <summary>Whether the run fits in <paramref name="availableBytes"/>.</summary>
    public bool FitsIn(long availableBytes) => Total <= availableBytes;

    /// <summary>The parts as a one-line list: "parameters 6.4 GB, gradients 6.4 GB, …" (parts under 1% of the total left out).</summary>
    public string Parts()
    {
        (string Name, long Bytes)[] parts =
        [
            ("parameters", Parameters), ("gradients", Gradients), ("optimizer state", OptimizerState), ("activations for BPTT", Activations),
            ("packed recurrent weights", PackedWeights), ("product buffers", Workspace), ("checkpoint writing", CheckpointWrite), ("data", Data),
        ];
        return string.Join(", ", parts.Where(p => p.Bytes > 0 && p.Bytes * 100 >= Total).Select(p => $"{p.Name} {FormatBytes(p.Bytes)}"));
    }

    /// <summary>A size in B, KB, MB or GB (powers of 1000), three significant figures at most.</summary>
    public static string FormatBytes(long bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        double value = bytes;
        int unit = 0;
        while (Math.Abs(value) >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        string format = unit == 0 || value >= 100 ? "0" : value >= 10 ? "0.#" : "0.##";
        return value.ToString(format, CultureInfo.InvariantCulture) + " " + units[unit];
    }

    private static long? LinuxMemAvailable()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return fields.Length >= 2 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long kib) ? kib * 1024 : null;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }
}
