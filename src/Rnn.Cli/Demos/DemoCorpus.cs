// The demo corpus is generated rather than shipped so the project carries no third-party text and no licence question.
// The grammar is small on purpose: a few hundred words in a few dozen sentence shapes is regular enough that a small
// character-level RNN learns spelling, capitalisation, punctuation and word order within minutes, yet varied enough
// that sampled text is recognisably new sentences rather than memorised lines.
using System.Text;
using Rnn.Tensors;

namespace Rnn.Cli.Demos;

/// <summary>Generates an English-like demo text for training a language model.</summary>
public static class DemoCorpus
{
    /// <summary>
    /// Generates a story-like ASCII text from a small probabilistic grammar: paragraphs of short past-tense sentences
    /// about a handful of villagers (journeys, sightings, chores, weather, feelings), dialogue exchanges with one
    /// speech per line, and numbered chapter headings. Paragraphs are separated by a blank line and the text ends with
    /// a line break. The same <paramref name="seed"/> always gives the same text; generation stops at the first
    /// paragraph boundary at or after <paramref name="approximateBytes"/>, so the text is at least that long (one
    /// byte per character) and overshoots by less than one paragraph.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="approximateBytes"/> is not positive.</exception>
    public static string Generate(int approximateBytes = 150_000, ulong seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(approximateBytes);
        return new Story(new SeededRandom(seed)).Write(approximateBytes);
    }

    private readonly record struct Person(string Name, bool Female)
    {
        public string He => Female ? "she" : "he";
        public string His => Female ? "her" : "his";
        public string Him => Female ? "her" : "him";
    }

    private sealed class Story(SeededRandom random)
    {
        private static readonly Person[] People =
        [
            new("the old fisherman", false), new("the young baker", true), new("Mara", true), new("Tom", false),
            new("the miller's daughter", true), new("the schoolteacher", true), new("old Jonas", false),
            new("the little boy", false), new("the captain", false), new("Aunt Hilda", true),
            new("the blacksmith", false), new("the shepherd girl", true),
        ];

        private static readonly string[] Places =
        [
            "harbour", "market", "old mill", "village square", "lighthouse", "forest", "river", "bakery", "church",
            "hill", "bridge", "school", "inn", "garden", "farm", "beach", "well", "orchard", "meadow", "station",
        ];

        private static readonly string[] PlaceMoods = ["quiet", "busy", "empty", "crowded", "cold", "warm", "noisy", "peaceful", "dark", "bright"];

        private static readonly string[] Times =
        [
            "at dawn", "in the morning", "at noon", "in the afternoon", "in the evening", "at night", "at sunset",
            "before breakfast", "after supper", "on Sunday", "on Monday", "on market day", "early the next day", "later that week",
        ];

        private static readonly string[] Motions = ["walked", "went", "ran", "hurried", "wandered", "returned", "rode", "came"];

        private static readonly string[] Counts = ["two", "three", "four", "five", "six", "seven", "a few", "several", "many", "a dozen"];

        private static readonly string[] Animals =
        [
            "gulls", "crows", "sheep", "goats", "cats", "dogs", "horses", "ducks", "geese", "fish", "rabbits",
            "swallows", "bees", "cows", "pigeons",
        ];

        private static readonly string[] Things =
        [
            "a small boat", "an old cart", "a red kite", "a broken basket", "a lost glove", "a wooden box",
            "a silver coin", "a folded letter", "a green bottle", "a sleeping dog", "a pair of boots", "a torn map",
        ];

        private static readonly string[] Spots =
        [
            "over the water", "near the rocks", "under the bridge", "behind the mill", "on the roof", "in the field",
            "by the gate", "along the road", "at the edge of the forest", "beside the well", "on the hill", "in the long grass",
        ];

        // {his} is replaced by the subject's possessive pronoun.
        private static readonly string[] Chores =
        [
            "bought fresh bread", "mended the nets", "baked a loaf of bread", "read a long letter",
            "carried a basket of apples", "painted the fence", "fed the chickens", "swept the floor", "lit the lamp",
            "washed the windows", "sold some eggs", "chopped wood for the fire", "picked berries",
            "wrote a letter to {his} sister", "sang a quiet song", "counted {his} coins", "tied up the boat",
            "cleaned {his} boots", "planted beans in the garden", "milked the goats", "repaired the roof",
            "made a cup of tea", "folded the washing", "sharpened {his} knife", "looked for {his} hat",
        ];

        private static readonly string[] Feelings =
        [
            "tired", "happy", "hungry", "worried", "cheerful", "quiet", "sleepy", "proud", "glad", "sad", "calm", "curious",
        ];

        private static readonly string[] Degrees = ["a little", "very", "rather", "quite", "suddenly"];

        private static readonly string[] Thoughts =
        [
            "the old days", "the long winter", "{his} mother", "the sea", "the price of bread", "the coming storm",
            "the harvest", "a song from {his} childhood", "the letter from the city", "the new boat",
        ];

        private static readonly (string Noun, string[] Adjectives)[] Weather =
        [
            ("wind", ["cold", "strong", "gentle", "warm"]), ("sky", ["grey", "clear", "blue", "dark"]),
            ("sea", ["calm", "rough", "grey"]), ("sun", ["warm", "bright", "low"]), ("rain", ["heavy", "light", "cold"]),
            ("air", ["fresh", "still", "cold"]), ("fog", ["thick", "white"]),
        ];

        private static readonly string[] WeatherEvents =
        [
            "It rained all morning.", "Snow fell on the hills.", "A storm came in from the sea.", "It was a long, hot day.",
            "The clouds hung low over the village.", "The first stars came out.", "Thunder rolled far away.",
        ];

        private static readonly string[] Greetings = ["Good morning", "Good evening", "Hello", "Hello there", "Good day"];

        private static readonly string[] Goods = ["flour", "salt", "rope", "nails", "apples", "milk", "bread", "oil", "wool"];

        private static readonly string[] Relatives = ["brother", "sister", "mother", "father", "uncle", "friend", "cousin"];

        private readonly StringBuilder _text = new();
        private int _chapter;

        public string Write(int approximateBytes)
        {
            while (_text.Length < approximateBytes)
            {
                if (_text.Length > 0) _text.Append('\n');
                if (_text.Length == 0 || Chance(0.05)) Chapter();
                else if (Chance(0.3)) Dialogue();
                else Narrative();
            }
            return _text.ToString();
        }

        private void Chapter() => _text.Append("Chapter ").Append(++_chapter).Append('\n');

        private void Narrative()
        {
            Person hero = Pick(People);
            string place = Pick(Places);
            if (Chance(0.5)) Sentence($"{Capitalise(Pick(Times))}, {hero.Name} {Pick(Motions)} to the {place}.");
            else Sentence($"{hero.Name} {Pick(Motions)} to the {place} {Pick(Times)}.");

            int sentences = 2 + random.NextInt(5);
            for (int i = 0; i < sentences; i++)
            {
                // Mostly pronouns, sometimes the name again, as a storyteller would.
                string subject = Chance(0.25) ? hero.Name : hero.He;
                Sentence(random.NextInt(12) switch
                {
                    0 => $"{subject} saw {Pick(Counts)} {Pick(Animals)} {Pick(Spots)}.",
                    1 => $"{subject} noticed {Pick(Things)} {Pick(Spots)}.",
                    2 => $"{subject} {Chore(hero)}.",
                    3 => $"{subject} {TwoChores(hero)}.",
                    4 => $"when {hero.He} reached the {Pick(Places)}, {hero.He} {Chore(hero)}.",
                    5 => $"{subject} {Chore(hero)} because {Reason(hero)}.",
                    6 => $"there were {Pick(Counts)} {Pick(Animals)} {Pick(Spots)}.",
                    7 => WeatherSentence(),
                    8 => Chance(0.5)
                        ? $"{subject} was {Pick(Feelings)} but {Pick(Degrees)} {Pick(Feelings)}."
                        : $"{subject} felt {Pick(Degrees)} {Pick(Feelings)}.",
                    9 => $"{subject} thought about {Pick(Thoughts).Replace("{his}", hero.His)}.",
                    10 => $"the {place} was {Pick(PlaceMoods)} {Pick(Times)}.",
                    _ => $"{Other(hero).Name} waved to {hero.Him} from the {Pick(Places)}.",
                });
            }
            _text.Append('\n');
        }

        private void Dialogue()
        {
            Person first = Pick(People);
            Person second = Other(first);
            Line($"\"{Pick(Greetings)},\" said {first.Name}.");
            var (question, answer) = QuestionAndAnswer();
            Line($"\"{Pick(Greetings)},\" said {second.Name}. \"{question}\"");
            Line($"\"{answer},\" {Pick("replied", "answered", "said")} {first.Name}. \"{Remark()}\"");
            if (Chance(0.5)) Line($"\"{Pick("Then I will come with you", "Take care on the road", "See you tomorrow", "Give my love to your family")},\" said {second.Name}.");
        }

        private (string Question, string Answer) QuestionAndAnswer() => random.NextInt(5) switch
        {
            0 => ("Where are you going?", Chance(0.5) ? $"I am going to the {Pick(Places)}" : $"To the {Pick(Places)}, to buy some {Pick(Goods)}"),
            1 => ($"Have you seen the {Pick(Animals)}?", Chance(0.5) ? $"Yes, I saw them {Pick(Spots)}" : $"No, not {Pick("today", "yet", "this week")}"),
            2 => ("Did you hear the news?", $"Yes, I heard it at the {Pick(Places)}"),
            3 => ($"Will it rain {Pick("tonight", "tomorrow", "today")}?", Pick("I think it will", "I hope not", "Nobody knows")),
            _ => ($"Is the {Pick(Places)} {Pick(PlaceMoods)} today?", $"It was {Pick(PlaceMoods)} {Pick(Times)}"),
        };

        private string Remark() => random.NextInt(4) switch
        {
            0 => $"My {Pick(Relatives)} is waiting for me.",
            1 => $"The {Pick(Animals)} are back {Pick(Spots)}!",
            2 => $"What a {Pick("fine", "cold", "long", "strange", "beautiful")} day!",
            _ => $"The {Pick("wind", "sea", "road")} is too {Pick("rough", "cold", "long", "wild")}.",
        };

        private string Chore(Person who) => Pick(Chores).Replace("{his}", who.His);

        private string TwoChores(Person who)
        {
            // Two different chores: the second is drawn from the others, by skipping past the first.
            int first = random.NextInt(Chores.Length);
            int second = (first + 1 + random.NextInt(Chores.Length - 1)) % Chores.Length;
            return $"{Chores[first]} and then {Chores[second]}".Replace("{his}", who.His);
        }

        private string Reason(Person who)
        {
            var (noun, adjectives) = Pick(Weather);
            return random.NextInt(3) switch
            {
                0 => $"the {noun} was {Pick(adjectives)}",
                1 => $"{who.He} was {Pick(Feelings)}",
                _ => $"{who.His} {Pick(Relatives)} was coming",
            };
        }

        private string WeatherSentence()
        {
            if (Chance(0.4)) return Pick(WeatherEvents);
            var (noun, adjectives) = Pick(Weather);
            var (noun2, adjectives2) = Pick(Weather);
            return noun == noun2
                ? $"the {noun} was {Pick(adjectives)}."
                : $"the {noun} was {Pick(adjectives)} and the {noun2} was {Pick(adjectives2)}.";
        }

        private Person Other(Person person)
        {
            // Draw from the people other than this one: index past it by one when the draw lands on or after it.
            int self = Array.IndexOf(People, person);
            int index = random.NextInt(People.Length - 1);
            return People[index >= self ? index + 1 : index];
        }

        /// <summary>Appends a sentence of a narrative paragraph, capitalised, after a space unless it opens the line.</summary>
        private void Sentence(string sentence)
        {
            if (_text.Length > 0 && _text[^1] != '\n') _text.Append(' ');
            _text.Append(Capitalise(sentence));
        }

        private void Line(string line) => _text.Append(line).Append('\n');

        private bool Chance(double probability) => random.NextDouble() < probability;

        private T Pick<T>(params T[] options) => options[random.NextInt(options.Length)];

        private static string Capitalise(string s) => char.ToUpperInvariant(s[0]) + s[1..];
    }
}
