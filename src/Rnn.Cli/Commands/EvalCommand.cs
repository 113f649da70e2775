using System.CommandLine;
using System.Globalization;
using Rnn.Data;
using Rnn.Models;
using Rnn.Training;

namespace Rnn.Cli.Commands;

/// <summary><c>rnn eval</c>: a language model's loss, perplexity and bits per token on a text, or a supervised model's metrics on labelled data.</summary>
public static class EvalCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A model file written by rnn train." };
        var file = new Argument<string>("data") { Description = "Data in the model's training format: a text (lm), label<TAB>text lines, token<TAB>tag lines, or a CSV series." };
        var json = new Option<bool>("--json") { Description = "classify, tag, forecast: print one JSON object with every metric at full precision." };
        var plot = new Option<string?>("--plot") { Description = "classify: a confusion-matrix heat map; forecast: the series and its forecasts (PNG)." };
        var season = new Option<int?>("--season") { Description = "forecast: the season length m for the seasonal naive baseline." };
        var batch = CommandLine.PositiveInt("--batch", "Parallel streams (speed only; each token is still predicted from all before it in its stream).", 32);
        var seq = CommandLine.PositiveInt("--seq", "Chunk length (speed only).", 64);
        var command = new Command("eval", "Measure a model on data: cross-entropy and perplexity (lm), accuracy and F1 (classify, tag), MAE, RMSE and MASE (forecast).")
        {
            model, file, batch, seq, json, plot, season,
        };
        command.SetAction(parse =>
        {
            var checkpoint = CommandSteps.LoadModel(parse.GetValue(model)!);
            var writer = parse.InvocationConfiguration.Output;
            if (parse.GetValue(season) is int m && m <= 0) throw new UsageException($"--season must be a positive integer, not {m}.");
            switch (checkpoint.Task)
            {
                case ModelTask.Classify:
                    TaskEvaluation.Classify(checkpoint, parse.GetValue(file)!, parse.GetValue(json), parse.GetValue(plot), writer);
                    return ExitCodes.Ok;
                case ModelTask.Tag:
                    TaskEvaluation.Tag(checkpoint, parse.GetValue(file)!, parse.GetValue(json), writer);
                    return ExitCodes.Ok;
                case ModelTask.Forecast:
                    TaskEvaluation.Forecast(checkpoint, parse.GetValue(file)!, parse.GetValue(season), parse.GetValue(json), parse.GetValue(plot), writer);
                    return ExitCodes.Ok;
            }
            // The text is read in pieces into compact ids, as rnn train reads it: a text of any size, the same figures.
            string path = parse.GetValue(file)!;
            CommandSteps.CheckTextFile(path);
            var lm = checkpoint.CreateModel<float>();
            var unknownWords = new List<string>();
            TokenIds tokens = CommandSteps.Guard(() => checkpoint.Vocabulary.EncodeCompact(TextFile.ReadChunks(path), unknown: unknownWords));
            if (tokens.Count < 2) throw new UsageException($"{path} has fewer than 2 tokens: nothing to predict.");
            var result = Evaluation.Evaluate(lm, tokens, parse.GetValue(batch), parse.GetValue(seq));
            int unknown = 0;
            for (int i = 0; i < tokens.Count; i++) if (tokens[i] == checkpoint.Vocabulary.UnknownId) unknown++;
            string unit = checkpoint.Vocabulary.Kind == TokenKind.Word ? "bits per word" : "bits per character";
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"tokens      {tokens.Count} ({result.Predictions} predicted{(unknown > 0 ? $", {unknown} unknown to the vocabulary" : "")})"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loss        {result.Loss:F4} nats per token"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"perplexity  {result.Perplexity:F3}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{unit,-11} {result.BitsPerToken:F4}"));
            // A character model's figures are per character already; with unknown characters they differ by their spelling.
            if (checkpoint.Vocabulary.Kind == TokenKind.Word || unknown > 0) WritePerCharacter(output, checkpoint.Vocabulary, tokens, unknownWords, result);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// The loss per character, the same for word and character models so that they can be set side by side: the bits
    /// of every prediction over the characters they cover (in word mode a line end counts as one, as the line break a
    /// character model predicts). A token the vocabulary lacks is read as &lt;unk&gt; and charged the model's
    /// probability of &lt;unk&gt; (learnt from the tokens beyond --max-vocab in training; without it the model never saw
    /// &lt;unk&gt; and charges it a great deal) and, to name which word or character it was, log2(K + 1) bits for each of
    /// its characters, K being the characters of the vocabulary's tokens: a uniform spelling over them and one escape.
    /// </summary>
    private static void WritePerCharacter(TextWriter output, Vocabulary vocabulary, TokenIds tokens, List<string> unknownWords, EvaluationResult result)
    {
        var alphabet = new HashSet<int>();
        for (int id = Math.Max(vocabulary.EndId, vocabulary.UnknownId) + 1; id < vocabulary.Count; id++)
            foreach (var rune in vocabulary.Token(id).EnumerateRunes()) alphabet.Add(rune.Value);
        double spelling = Math.Log2(alphabet.Count + 1);
        long characters = 0, unknownCharacters = 0;
        int unknownIndex = 0;
        // Word mode starts every text with <s>, so every token after it, unknown ones included, is predicted; character
        // mode predicts all but the first character, which is not charged.
        if (tokens[0] == vocabulary.UnknownId) unknownIndex++;
        for (int i = 1; i < tokens.Count; i++)
        {
            int id = tokens[i];
            if (id == vocabulary.EndId) characters++;
            else if (id == vocabulary.UnknownId)
            {
                long length = unknownWords[unknownIndex++].EnumerateRunes().Count();
                unknownCharacters += length;
                characters += length;
            }
            else if (id != vocabulary.StartId) characters += vocabulary.Token(id).EnumerateRunes().Count();
        }
        double bits = (result.TotalNats / Math.Log(2) + unknownCharacters * spelling) / characters;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"characters  {characters} predicted ({unknownCharacters} of them in unknown tokens, charged p(<unk>) and {spelling:F2} bits a character to spell them{(vocabulary.Kind == TokenKind.Word ? "; a line end counts as one" : "")})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"per character {bits:F4} bits, perplexity {Math.Pow(2, bits):F3}"));
    }
}
