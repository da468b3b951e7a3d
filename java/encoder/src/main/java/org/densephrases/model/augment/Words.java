package org.densephrases.model.augment;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The closed word classes the rule-based extractor and generator rely on (lower case). */
final class Words {
  private Words() {}

  static final Set<String> MONTHS = Set.copyOf(List.of("january", "february", "march", "april", "may", "june", "july", "august",
      "september", "october", "november", "december"));
  static final Set<String> DETERMINERS = Set.copyOf(List.of("the", "a", "an", "his", "her", "its", "their", "our", "this", "that",
      "these", "those", "some", "many", "several", "each", "every", "no", "my", "your"));
  static final Set<String> PREPOSITIONS = Set.copyOf(List.of("in", "on", "at", "by", "for", "with", "from", "to", "into", "of",
      "during", "since", "until", "after", "before", "near", "about", "against", "among", "between", "through",
      "under", "over", "within", "without", "across", "around", "towards", "toward", "upon", "via", "per", "as",
      "inside", "outside", "throughout", "than", "like", "onto", "behind", "beyond", "despite", "including"));
  /** auxiliaries and copulas: inverted with the subject */
  static final Set<String> AUX = Set.copyOf(List.of("is", "was", "are", "were", "has", "have", "had", "can", "could", "will",
      "would", "shall", "should", "may", "might", "must", "does", "do", "did"));
  static final Set<String> PRONOUNS = Set.copyOf(List.of("he", "she", "it", "they", "we", "i", "you", "this", "that", "these",
      "those", "there", "his", "her", "its", "their", "him", "them", "who", "which", "what", "one"));
  static final Set<String> CONJUNCTIONS = Set.copyOf(List.of("and", "or", "but", "nor", "while", "whereas", "although", "though",
      "because", "which", "who", "whom", "whose", "where", "when", "that", "if", "unless", "so"));
  /** sentence openers that carry no content: dropped when they are the whole fronted part */
  static final Set<String> DISCOURSE = Set.copyOf(List.of("however", "also", "additionally", "furthermore", "moreover",
      "meanwhile", "thus", "therefore", "today", "currently", "later", "eventually", "finally", "nevertheless",
      "instead", "still", "similarly", "consequently", "historically", "originally", "initially", "subsequently",
      "notably", "indeed", "nonetheless", "hence", "overall", "traditionally"));
  static final Set<String> SCALES = Set.copyOf(List.of("hundred", "thousand", "million", "billion", "trillion"));
  static final Set<String> NUMBER_WORDS = Set.copyOf(List.of("two", "three", "four", "five", "six", "seven", "eight", "nine",
      "ten", "eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "hundred", "dozens", "hundreds",
      "thousands", "millions"));
  static final Set<String> TITLES = Set.copyOf(List.of("mr", "mrs", "ms", "dr", "president", "king", "queen", "pope", "sir",
      "lord", "lady", "general", "prince", "princess", "emperor", "empress", "bishop", "saint", "professor", "senator",
      "governor", "chancellor", "archbishop", "cardinal", "captain", "admiral", "duke", "count", "judge"));
  /** words that make a capitalised span an organisation or a place, not a person */
  static final Set<String> NOT_PERSON = Set.copyOf(List.of("university", "college", "school", "company", "church", "empire",
      "kingdom", "river", "street", "city", "museum", "party", "army", "corporation", "records", "association",
      "council", "society", "institute", "group", "league", "club", "union", "republic", "states", "office",
      "department", "court", "bank", "foundation", "press", "mill", "house", "hall", "park", "island", "islands",
      "mountains", "mountain", "sea", "ocean", "lake", "bay", "valley", "county", "state", "province", "war",
      "act", "award", "awards", "prize", "cup", "games", "festival", "center", "centre", "library", "station",
      "airport", "bridge", "cathedral", "palace", "castle", "square", "road", "avenue", "north", "south", "east",
      "west", "new", "san", "los", "las", "united", "national", "international", "royal", "american", "british",
      "french", "german", "english", "chinese", "european", "catholic", "christian", "islamic", "jewish", "day",
      "agency", "ministry", "committee", "commission", "service", "system", "network", "tower", "building",
      "stadium", "theatre", "theater", "hospital", "temple", "mosque", "era", "age", "dynasty", "treaty", "revolution"));
  /** verbs whose subject is a person: a capitalised subject before them is asked with "Who" */
  static final Set<String> PERSON_VERBS = Set.copyOf(List.of("said", "wrote", "married", "stated", "argued", "claimed",
      "believed", "composed", "painted", "died", "born", "studied", "recalled", "admitted", "announced", "told",
      "sang", "starred", "directed", "performed", "resigned", "served", "ruled", "reigned", "invented", "proposed"));
  static final Set<String> GIVEN_NAMES = Set.copyOf(List.of("john", "james", "william", "george", "charles", "thomas", "henry",
      "robert", "richard", "edward", "joseph", "david", "michael", "peter", "paul", "mark", "frederick", "francis",
      "louis", "albert", "arthur", "alexander", "benjamin", "samuel", "daniel", "andrew", "stephen", "martin",
      "walter", "harry", "jack", "frank", "johann", "karl", "carl", "friedrich", "wilhelm", "ludwig", "wolfgang",
      "pierre", "jean", "jacques", "giovanni", "giuseppe", "antonio", "juan", "jose", "carlos", "pedro", "ivan",
      "nikolai", "vladimir", "mary", "elizabeth", "anne", "anna", "margaret", "catherine", "jane", "sarah", "emily",
      "victoria", "maria", "marie", "helen", "alice", "eleanor", "isabella", "sophia", "barack", "donald", "ronald",
      "franklin", "abraham", "theodore", "woodrow", "winston", "isaac", "nicholas", "philip", "hugh", "jimmy", "bill",
      "steve", "tom", "kanye", "jay", "chris", "christopher", "matthew", "anthony", "kevin", "brian", "jason",
      "jennifer", "lisa", "susan", "michelle", "kelly", "beyoncé", "frédéric", "napoleon", "adolf", "otto",
      "gregory", "leo", "innocent", "clement", "pius", "augustus", "julius", "ptolemy", "muhammad", "ali", "hassan",
      "ahmed", "mao", "deng", "sun", "kim", "lee", "hans", "emil", "max", "oliver", "edmund", "ernest", "alfred",
      "harold", "gordon", "tony", "margaret", "hillary", "al", "joe", "lyndon", "dwight", "herbert", "calvin",
      "ulysses", "grover", "andrew", "elvis", "madonna", "justin", "taylor", "rihanna", "whitney", "sigmund",
      "immanuel", "rené", "galileo", "leonardo", "nikola", "niels", "werner", "erwin", "enrico", "marco", "vasco"));
  /** irregular past tenses (unambiguous ones only) and their lemmas, for do-support: "won" -> "did ... win" */
  static final Map<String, String> IRREGULAR_PAST = Map.ofEntries(Map.entry("became", "become"),
      Map.entry("began", "begin"), Map.entry("won", "win"), Map.entry("wrote", "write"), Map.entry("made", "make"),
      Map.entry("took", "take"), Map.entry("gave", "give"), Map.entry("found", "find"), Map.entry("led", "lead"),
      Map.entry("built", "build"), Map.entry("held", "hold"), Map.entry("left", "leave"), Map.entry("met", "meet"),
      Map.entry("sold", "sell"), Map.entry("told", "tell"), Map.entry("thought", "think"),
      Map.entry("brought", "bring"), Map.entry("bought", "buy"), Map.entry("came", "come"), Map.entry("went", "go"),
      Map.entry("saw", "see"), Map.entry("knew", "know"), Map.entry("grew", "grow"), Map.entry("drew", "draw"),
      Map.entry("fell", "fall"), Map.entry("rose", "rise"), Map.entry("ran", "run"), Map.entry("spent", "spend"),
      Map.entry("sent", "send"), Map.entry("lost", "lose"), Map.entry("paid", "pay"), Map.entry("kept", "keep"),
      Map.entry("felt", "feel"), Map.entry("stood", "stand"), Map.entry("chose", "choose"), Map.entry("spoke", "speak"),
      Map.entry("broke", "break"), Map.entry("drove", "drive"), Map.entry("flew", "fly"), Map.entry("sang", "sing"),
      Map.entry("taught", "teach"), Map.entry("fought", "fight"), Map.entry("caught", "catch"),
      Map.entry("sought", "seek"), Map.entry("struck", "strike"), Map.entry("wore", "wear"),
      Map.entry("forbade", "forbid"), Map.entry("overcame", "overcome"), Map.entry("undertook", "undertake"),
      Map.entry("withdrew", "withdraw"), Map.entry("gained", "gain"), Map.entry("heard", "hear"),
      Map.entry("meant", "mean"), Map.entry("lay", "lie"), Map.entry("arose", "arise"), Map.entry("shook", "shake"),
      Map.entry("swore", "swear"), Map.entry("threw", "throw"), Map.entry("froze", "freeze"), Map.entry("bore", "bear"),
      Map.entry("slew", "slay"), Map.entry("rode", "ride"), Map.entry("hid", "hide"), Map.entry("bit", "bite"),
      Map.entry("dug", "dig"), Map.entry("stole", "steal"), Map.entry("woke", "wake"), Map.entry("wept", "weep"),
      Map.entry("got", "get"), Map.entry("said", "say"), Map.entry("did", "do"));
  /** past participles that follow has/have/had as an auxiliary */
  static final Set<String> IRREGULAR_PARTICIPLES = Set.copyOf(List.of("been", "become", "begun", "won", "written", "made", "taken",
      "given", "found", "led", "built", "held", "left", "met", "sold", "told", "brought", "come", "gone", "seen",
      "known", "grown", "drawn", "fallen", "risen", "run", "spent", "sent", "lost", "paid", "kept", "chosen", "spoken",
      "broken", "driven", "flown", "sung", "taught", "fought", "caught", "had", "got", "gotten", "done", "said"));
}
