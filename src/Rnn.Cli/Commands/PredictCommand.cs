using System.CommandLine;
using System.Globalization;
using Rnn.Training;

namespace Rnn.Cli.Commands;

/// <summary><c>rnn predict</c>: the most probable next tokens after a prefix, with their probabilities.</summary>
public static class PredictCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A language model file written by rnn train." };
        var prefix = new Argument<string>("prefix") { Description = "The text so far (its last line is continued; \"\" starts a fresh line); tokens the model does not know are skipped and named on standard error." };
        var topK = CommandLine.PositiveInt("--top-k", "How many of the most probable next tokens to print.", 5);
        var command = new Command("predict", "Print the most probable next tokens after a prefix, one 'token<TAB>probability' a line.") { model, prefix, topK };
        command.SetAction(parse =>
        {
            var checkpoint = CommandSteps.LoadModel(parse.GetValue(model)!);
            var vocabulary = checkpoint.Vocabulary;
            var lm = checkpoint.CreateModel<float>();
            int[] ids = CommandSteps.PrefixTokens(vocabulary, parse.GetValue(prefix), "the prefix", parse.InvocationConfiguration.Error);
            float[] probabilities = NextToken.Probabilities(lm, ids);
            var output = parse.InvocationConfiguration.Output;
            // Tokens by their names (<unk>, </s> for the end of a sentence), escaped so that each stays one field.
            foreach (int id in NextToken.MostProbable<float>(probabilities, parse.GetValue(topK)))
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{CommandSteps.Visible(vocabulary.Token(id))}\t{probabilities[id]:F4}"));
            return ExitCodes.Ok;
        });
        return command;
    }
}
