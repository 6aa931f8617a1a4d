"""Chinese name parts and nicknames used for people, staff and test accounts."""

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪"
    "范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# rough frequency: the first surnames are far more common
SURNAME_WEIGHTS = [1.0 / (i + 3) ** 0.8 for i in range(len(SURNAMES))]
GIVEN_F = list("芳娜敏静丽艳娟霞秀玲桂英华慧婷雪琳晶燕红梅莉倩颖欣怡佳琪萱蕾瑶璐彤")
GIVEN_M = list("伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林峰晨阳")
NICKNAMES = [
    "小鱼儿",
    "Lucky",
    "阳光",
    "晴天",
    "momo",
    "奔跑的蜗牛",
    "Coco",
    "一叶知秋",
    "A.明",
    "微笑",
    "Tina",
    "老王",
    "大白",
    "Jason",
    "向日葵",
    "小确幸",
    "Sunny",
    "夏天",
    "🍀",
    "Amy",
    "风清扬",
    "静静",
    "Kevin",
    "橙子",
    "💕小美",
    "Leo",
    "星空",
    "Vivian",
    "木子",
    "Grace",
]
