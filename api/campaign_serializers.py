"""What the API reads and writes of campaigns (SPEC 8); the campaign services decide."""

from rest_framework import serializers

from crm.models import Salesperson
from interactions.models import Campaign

from .fields import ModelOutput, Strict, code_field

#: What a client sets on a campaign, as the campaign page's form does.
CAMPAIGN_VALUES = ["description", "starting_date", "ending_date", "salesperson", "status"]


class CampaignSerializer(ModelOutput):
    salesperson = serializers.SlugRelatedField(slug_field="code", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "no", *CAMPAIGN_VALUES, "created_by", "created_at"]
        read_only_fields = fields


class CampaignUpdateSerializer(Strict, ModelOutput):
    """A campaign's values; its number is kept once given."""

    salesperson = code_field(Salesperson.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Campaign
        fields = CAMPAIGN_VALUES
        extra_kwargs = {name: {"required": False} for name in CAMPAIGN_VALUES}


class CampaignCreateSerializer(CampaignUpdateSerializer):
    """A new campaign; without ``no`` it takes the next number of the series (CP00001...)."""

    class Meta(CampaignUpdateSerializer.Meta):
        fields = ["no", *CAMPAIGN_VALUES]
        extra_kwargs = {name: {"required": False} for name in ["no", *CAMPAIGN_VALUES]}


class SegmentFiguresSerializer(serializers.Serializer):
    segment_no = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True, allow_null=True)
    interactions = serializers.IntegerField()
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    duration = serializers.DecimalField(max_digits=14, decimal_places=2)


class CampaignStatisticsSerializer(serializers.Serializer):
    """``interactions.selectors.campaign_statistics``: canceled entries count in none."""

    contacts = serializers.IntegerField()
    targets = serializers.IntegerField()
    responses = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True, min_value=0, max_value=1)
    interactions = serializers.IntegerField()
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    duration = serializers.DecimalField(max_digits=14, decimal_places=2)
    by_segment = SegmentFiguresSerializer(many=True)
