using System.CommandLine;
using System.Globalization;
using Rnn.Cli.Demos;
using Rnn.Models;
using Rnn.Data;
using Rnn.Layers;
using Rnn.Optim;
using Rnn.Training;

namespace Rnn.Cli.Commands;

/// <summary>
/// <c>rnn demo</c>: the Quickstart's main job. Generates the built-in corpus, samples from the untrained model,
/// trains a character-level language model (a GRU, the default cell) for about two minutes, samples again, and writes the model and its loss curve.
/// </summary>
public static class DemoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var minutes = new Option<double>("--minutes") { Description = "Training time.", DefaultValueFactory = _ => 2 };
        var output = new Option<string>("--out-dir") { Description = "Folder for the model and the loss curve.", DefaultValueFactory = _ => "rnn-demo" };
        var seed = new Option<ulong>("--seed") { Description = "Seed for the corpus, the weights and the samples.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Threads for matrix products.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var task = CommandLine.Choice("--task", "language: the character model; bidirectional: labels that need the future, one- vs two-way RNN; memory: recall of x_(t−d) for d = 1..20 by each --cell (these two ignore --minutes).",
            "language", "language", "bidirectional", "memory");
        var cell = new Option<string>("--cell") { Description = "memory: the cells to compare, comma-separated (rnn, lstm, gru).", DefaultValueFactory = _ => "rnn" };
        var steps = new Option<int?>("--steps") { Description = "memory: Adam steps per cell (default 2000)." };
        var hidden = new Option<int?>("--hidden") { Description = "memory: hidden units H (default 12)." };
        var maxDelay = new Option<int?>("--max-delay") { Description = "memory: the longest delay Dmax (default 20; the sequences are 3·Dmax steps)." };
        var command = new Command("demo", "Train a character-level language model (a GRU) on a built-in corpus for two minutes and show what it learned.")
        {
            minutes, output, seed, threads, task, cell, steps, hidden, maxDelay,
        };
        command.SetAction(parse =>
        {
            double m = parse.GetValue(minutes);
            if (!(m > 0 && m <= 24 * 60)) throw new UsageException($"--minutes must be in (0, 1440], not {m}.");
            Threading.Configure(parse.GetValue(threads));
            var writer = parse.InvocationConfiguration.Output;
            switch (parse.GetValue(task))
            {
                case "bidirectional": SequenceDemos.RunBidirectional(new FutureTokenOptions { Seed = parse.GetValue(seed) }, writer); return ExitCodes.Ok;
                case "memory":
                    var memory = new DelayRecallOptions { Seed = parse.GetValue(seed) };
                    if (parse.GetValue(steps) is int n)
                        memory = n is > 0 and <= 1_000_000 ? memory with { Steps = n } : throw new UsageException($"--steps must be in [1, 1000000], not {n}.");
                    if (parse.GetValue(hidden) is int units)
                        memory = units is > 0 and <= 4096 ? memory with { HiddenSize = units } : throw new UsageException($"--hidden must be in [1, 4096], not {units}.");
                    if (parse.GetValue(maxDelay) is int delay)
                        memory = delay is > 0 and <= 1000 ? memory with { MaxDelay = delay, SequenceLength = 3 * delay } : throw new UsageException($"--max-delay must be in [1, 1000], not {delay}.");
                    SequenceDemos.RunMemory(memory, CommandLine.ParseCells(parse.GetValue(cell)!, "--cell"), parse.GetValue(output)!, writer);
                    return ExitCodes.Ok;
            }
            Run(m, parse.GetValue(output)!, parse.GetValue(seed), parse.InvocationConfiguration.Output, CommandSteps.CancelOnCtrlC());
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Runs the demo.</summary>
    public static void Run(double minutes, string folder, ulong seed, TextWriter output, CancellationToken cancellation)
    {
        Directory.CreateDirectory(folder);
        // Large enough that two minutes of training (about 10,000 GRU steps of 32 × 64 characters) do not memorise it.
        string text = DemoCorpus.Generate(approximateBytes: 600_000, seed: seed);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rnn demo: a character-level language model (GRU, H 256) on a generated English-like corpus ({text.Length / 1024} KB), {minutes:G3} minutes of training."));
        output.WriteLine();

        var request = new TrainRequest
        {
            Text = text,
            Source = "built-in corpus",
            HiddenSize = 256,
            Cell = RnnOptions.ParseCell(TrainingRun.DefaultCell(ModelTask.Lm)),
            Options = new TrainingOptions { SequenceLength = 64, BatchSize = 32, Seed = seed, ValidationFraction = 0.05, LearningRate = 2e-3, CosineSchedule = true },
            Stop = new StopCondition(Duration: TimeSpan.FromMinutes(minutes)),
            Out = Path.Combine(folder, "model.safetensors"),
            Plot = Path.Combine(folder, "loss.png"),
        };

        var vocabulary = Vocabulary.Build(text, TokenKind.Character);
        var untrained = new LanguageModel<float>(new LanguageModelConfig
        {
            VocabularySize = vocabulary.Count, EmbeddingSize = 64, HiddenSize = request.HiddenSize, Cell = request.Cell,
        }, seed);
        output.WriteLine("Before training, a sample:");
        WriteSample(untrained, vocabulary, seed, output);

        var (model, trainedVocabulary, validation) = TrainingRun.Execute(request, output, cancellation);
        output.WriteLine();
        output.WriteLine("After training, a sample (temperature 0.7):");
        WriteSample(model, trainedVocabulary, seed, output);
        if (validation is not null)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Validation: {validation.BitsPerToken:F3} bits per character (an untrained model scores about {Math.Log2(trainedVocabulary.Count):F2})."));
        output.WriteLine($"Try: dotnet run --project src/Rnn.Cli -- sample {request.Out} --prime \"The \"");
    }

    private static void WriteSample(LanguageModel<float> model, Vocabulary vocabulary, ulong seed, TextWriter output)
    {
        output.Write("  > ");
        var indented = new IndentingWriter(output, "  > ");
        // The demo's corpus holds every character of the prime, so nothing is ever reported on the error writer.
        CommandSteps.WriteSample(model, vocabulary, new SampleSettings { Prime = "The ", Length = 300, Temperature = 0.7, Seed = seed }, indented, TextWriter.Null);
        output.WriteLine();
        output.WriteLine();
    }

    /// <summary>Indents every line written through it, so samples stand apart from the log.</summary>
    private sealed class IndentingWriter(TextWriter inner, string indent) : TextWriter
    {
        public override System.Text.Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            inner.Write(value);
            if (value == '\n') inner.Write(indent);
        }

        public override void Flush() => inner.Flush();
    }
}
