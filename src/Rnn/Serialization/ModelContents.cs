// What a model file holds besides parameters and training state: whatever turns the user's data into the model's
// numbers and its numbers back into the user's words or units.
using System.Text.Json;
using System.Text.Json.Nodes;
using Rnn.Data;

namespace Rnn.Serialization;

/// <summary>
/// The data side of a model: its vocabulary (token input), label set (classes or tags), and for a forecaster the
/// feature scaling and the window layout (<see cref="ForecastOptions"/>: columns, T, K, missing-value policy).
/// Instances are immutable and may be shared between threads.
/// </summary>
public sealed record ModelContents
{
    /// <summary>The vocabulary of a token model, or null.</summary>
    public Vocabulary? Vocabulary { get; init; }

    /// <summary>The classes or tags, or null.</summary>
    public LabelSet? Labels { get; init; }

    /// <summary>A forecaster's scaling, fitted on its training rows, or null.</summary>
    public FeatureScaling? Scaling { get; init; }

    /// <summary>A forecaster's window layout, or null.</summary>
    public ForecastOptions? Forecast { get; init; }

    /// <summary>The layout as the <c>forecast</c> metadata JSON (keys pinned).</summary>
    public static string ForecastToJson(ForecastOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new JsonObject
        {
            ["seq"] = options.SequenceLength,
            ["horizon"] = options.Horizon,
            ["target"] = options.Target,
            ["inputs"] = new JsonArray([.. (options.Inputs ?? []).Select(c => (JsonNode)c)]),
            ["missing"] = MissingValuePolicies.Name(options.Missing),
        }.ToJsonString();
    }

    /// <summary>Parses <see cref="ForecastToJson"/>'s output.</summary>
    /// <exception cref="InvalidDataException">A key is missing or mistyped.</exception>
    public static ForecastOptions ForecastFromJson(string json)
    {
        try
        {
            var o = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidDataException("the forecast layout is not a JSON object");
            var options = new ForecastOptions
            {
                SequenceLength = o["seq"]!.GetValue<int>(),
                Horizon = o["horizon"]!.GetValue<int>(),
                Target = o["target"]!.GetValue<string>(),
                Inputs = [.. o["inputs"]!.AsArray().Select(c => c!.GetValue<string>())],
                Missing = MissingValuePolicies.Parse(o["missing"]!.GetValue<string>())
                    ?? throw new InvalidDataException($"the forecast layout's missing-value policy '{o["missing"]}' is unknown"),
            };
            if (options.SequenceLength <= 0 || options.Horizon <= 0) throw new InvalidDataException("the forecast layout's seq and horizon must be positive");
            return options;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new InvalidDataException($"the forecast layout is invalid: {e.Message}", e);
        }
    }
}
