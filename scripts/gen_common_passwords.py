"""Writes agent_console/server/common_passwords.txt: common leaked passwords and their usual variants."""

top = """123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball abc123 football
monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890 michael 654321 superman 1qaz2wsx
7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster soccer harley
batman andrew tigger sunshine iloveyou 2000 charlie robert thomas hockey ranger daniel starwars klaster 112233
george computer michelle jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777 pass maggie 159753
aaaaaa ginger princess joshua cheese amanda summer love ashley nicole chelsea biteme matthew access yankees
987654321 dallas austin thunder taylor matrix mobilemail mom monitor monitoring montana moon moscow welcome
welcome1 password1 password123 passw0rd p@ssw0rd p@ssword admin admin123 administrator root toor qwerty123
qwerty1 1q2w3e4r 1q2w3e4r5t 1q2w3e 1q2w3e4r5t6y zaq12wsx q1w2e3r4 q1w2e3r4t5 q1w2e3r4t5y6 a1b2c3d4 abcd1234
abcdef abcdefg abcdefgh abcdefghij 123abc iloveyou1 iloveyou2 princess1 football1 baseball1 sunshine1 monkey1
dragon1 shadow1 master1 michael1 superman1 batman1 trustno1 letmein1 letmein123 welcome123 changeme changeme123
changeit secret secret123 default guest guest123 test test123 testing testing123 demo demo123 user user123
login login123 hello hello123 helloworld hello1234 whatever qwertyui asdfghjkl asdfghjk zxcvbnm1 zxcvbnm123
1qazxsw2 2wsx3edc 3edc4rfv 1qaz2wsx3edc qazwsxedc qazwsxedc123 qweasdzxc qweasd qweasd123 asdasd asdasd123
qwe123 qwe123qwe 123qweasd 123qweasdzxc 1234qwer 1234asdf asdf1234 asdf qwer1234 zxcv1234 123456a 123456q
a123456 a12345678 aa123456 aa12345678 abc12345 abc123456 password12 password1234 password2 passw0rd1 pa55word
pa55w0rd password! password1! p@ssw0rd1 p@ssw0rd123 qwerty12 qwerty1234 qwerty12345 qwertyuiop123 1234567891
12345678910 0987654321 9876543210 1122334455 1234512345 123123123 123321123 147258369 159357 159357456 258456
741852963 963852741 789456123 147258 456789 11223344 12341234 00000000 0000000000 1111111111 2222222222
1234554321 5555555555 9999999999 123456789a 123456789q qwerty123456 iloveyou123 iloveu loveme lovely loveyou
football12 baseball12 soccer123 hockey123 basketball basketball1 superstar starwars1 pokemon pokemon123 naruto
minecraft minecraft1 fortnite roblox spiderman ironman wolverine blink182 metallica nirvana slipknot eminem
liverpool arsenal chelsea1 manchester barcelona realmadrid juventus bayern juventus1 liverpool1 arsenal1
michelle1 jessica1 jennifer1 ashley1 nicole1 amanda1 daniel1 andrew1 joshua1 matthew1 anthony anthony1
william william1 richard richard1 charles charles1 jackson jackson1 hannah hannah1 samantha samantha1
elizabeth elizabeth1 alexander alexander1 christopher christopher1 benjamin benjamin1 jonathan jonathan1
computer1 internet internet1 google google123 facebook facebook1 youtube twitter instagram linkedin
microsoft windows windows10 apple apple123 samsung samsung1 android iphone nokia sony dell lenovo
trustnoone letmein! qwerty! 1qaz!qaz !qaz2wsx !qaz1qaz zaq1zaq1 zaq1xsw2 xsw2zaq1 1qaz@wsx qwerty@123
admin@123 admin1234 admin12345 adminadmin administrator1 rootroot root123 toor123 superuser sysadmin
master123 masterkey letmeinnow opensesame open sesame access14 accessdenied matrix1 matrix123 shadow123
dragon123 monkey123 killer123 hunter2 hunter123 tigger1 buster1 ginger1 pepper1 cookie cookie1 chocolate
chocolate1 butterfly butterfly1 flower flower1 rainbow rainbow1 purple purple1 orange orange1 banana
banana1 cherry strawberry blueberry peanut peanut1 snoopy snoopy1 garfield mickey mickeymouse minnie
winnie winniethepooh tinkerbell cinderella barbie angel angel1 angels angelina angela beautiful
beautiful1 sweety sweetie sweetheart honey honey1 baby baby1 babygirl babygirl1 babyboy princess12
prince prince1 queen king king123 kingkong jesus jesus1 jesuschrist god godisgood christ heaven
blessed blessed1 faith grace trinity believe freedom1 liberty america america1 usa123 patriot eagle
eagles eagles1 lakers lakers1 yankees1 redsox cowboys cowboys1 steelers packers broncos raiders
nascar ferrari porsche mercedes bmw audi corvette mustang1 camaro harley1 yamaha honda toyota
summer1 winter winter1 spring autumn january february march april may june july august september
october november december monday friday sunday weekend holiday vacation christmas christmas1 easter
halloween birthday happy happy1 happyday smile smile1 funny lucky lucky1 lucky7 lucky13 magic magic1
wizard merlin gandalf frodo hobbit matrix neo morpheus zelda mario luigi sonic pacman tetris
starcraft warcraft diablo halo halo3 counter strike gamer gamer1 player player1 game games
cheese1 pizza pizza1 hamburger burger coffee coffee1 beer beer1 whiskey vodka tequila party
party1 music music1 guitar guitar1 piano drummer rocknroll rockstar rock singer dance dancer
silver silver1 golden gold diamond diamond1 crystal pearl ruby emerald sapphire platinum
tiger tiger1 lion lion1 wolf wolf1 bear bear1 eagle1 falcon hawk panther panther1 jaguar cobra
snake dolphin dolphin1 shark whale horse horse1 pony puppy puppy1 kitty kitty1 kitten cat cat123
dog dog123 doggy fish chicken rabbit bunny monkey12 donkey turtle spider ladybug
qwertz qwertz123 qwertzuiop asdfghjklö ichliebedich passwort passwort1 passwort123 hallo hallo123
geheim geheim123 schatz schatz1 sonne sonne123 blume fussball fussball1 bayern1 schalke04 dortmund
borussia hamburg berlin berlin123 muenchen deutschland deutschland1 mausi hase hasi schatzi
ficken1 arschloch scheisse azerty azerty123 azertyuiop motdepasse soleil bonjour doudou chouchou
marseille loulou nicolas julien contrasena contraseña 123456789abc""".split()

bases = """password passwort welcome hello letmein admin qwerty iloveyou monkey dragon football baseball
sunshine princess shadow master superman batman michael jordan charlie summer winter spring autumn
secret love lovely freedom trustno1 whatever computer internet starwars pokemon minecraft liverpool
arsenal chelsea barcelona abc abcd qwer asdf zxcv test user guest login access changeme default
hunter tigger buster ginger pepper cookie snoopy angel angels jesus blessed america yankees lakers
cowboys eagles steelers hockey soccer basketball tennis golf music guitar rockstar silver golden
diamond tiger lion wolf bear dolphin horse puppy kitty flower rainbow purple orange banana cherry
hallo geheim schatz sonne fussball bayern berlin deutschland azerty soleil bonjour company office
service support helpdesk callcenter agent console server database manager system network""".split()

suffixes = ["1", "12", "123", "1234", "12345", "123456", "!", "1!", "123!", "01", "007", "69", "99", "00",
            "2000", "2001", "2010", "2015", "2016", "2017", "2018", "2019", "2020", "2021", "2022", "2023",
            "2024", "2025", "2026", "@123", "#1", "_123", "@2024", "@2025", "@2026", "123456789", "1234567890"]
prefixes = ["", "my"]

words = []
seen = set()
def add(w):
    w = w.strip().lower()
    if w and w not in seen:
        seen.add(w)
        words.append(w)

for w in top:
    add(w)
for base in bases:
    for prefix in prefixes:
        stem = (prefix.replace(" ", "") + base)
        add(stem)
        for s in (suffixes if prefix == "" else suffixes[:6]):
            add(stem + s)
            if prefix == "":
                add(base.capitalize() + s)
for n in range(1, 11):
    add("".join(str(i % 10) for i in range(1, n + 1)))
for d in "0123456789":
    for n in range(6, 13):
        add(d * n)
for kb in ("qwertyuiop", "asdfghjkl", "zxcvbnm", "qazwsxedcrfv", "1qaz2wsx3edc4rfv", "poiuytrewq", "mnbvcxz"):
    for n in range(6, len(kb) + 1):
        add(kb[:n])
for year in range(1960, 2027):
    for base in ("password", "welcome", "summer", "winter", "iloveyou"):
        add(f"{base}{year}")
words = [w for w in words]
header = ["# Common passwords: refused by the server whatever their length (compared case-insensitively).",
          "# Compiled for Agent Console from widely known lists of the most frequently leaked passwords and their",
          "# usual variants (a word plus digits, a year or '!'); regenerate rather than edit by hand."]
open(str(__import__("pathlib").Path(__file__).resolve().parents[1] / "agent_console/server/common_passwords.txt"), "w").write("\n".join(header + words) + "\n")
print(len(words))
